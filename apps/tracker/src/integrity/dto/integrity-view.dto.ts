import type { ClaimReason, MatchStatus } from '@app/db';
import type { DuplicateView } from '../integrity.service';

/** The other claimant's unit, shown only to administrators and to callers with that unit in scope. */
export class MatchedUnitDto {
  name: string;
}

/**
 * Two activities claiming the same thing, seen from the caller's side: `activityId` is in the caller's
 * scope, `matchedActivityId` is the other claim.
 */
export class DuplicateViewDto implements DuplicateView {
  id: number;
  /** `evidence` (same file, SHA-256), `url` (same media URL), `paper` (ISSN/CN and title), `standard` (number and kind), `person` (identity key in another unit, same period), `event` (same date, near-identical title). */
  reason: ClaimReason;
  /** `open` or `explained`. */
  status: MatchStatus;
  activityId: number;
  matchedActivityId: number;
  /** Null when the caller may not see the other unit. */
  matchedUnit: MatchedUnitDto | null;
  /** Province code of the other claim. */
  matchedProvince: string;
  /** Date of the other claim, YYYY-MM-DD. */
  matchedDate: string;
  matchedRequirement: string;
  /** The reviewer's explanation. */
  note: string | null;
  explainedAt: Date | null;
  explainedByName: string | null;
  createdAt: Date;
}
