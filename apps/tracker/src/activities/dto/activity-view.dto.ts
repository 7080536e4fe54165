import type { ActivityStatus } from '@app/compliance';
import { EvidenceViewDto } from '../../evidence/dto/evidence-view.dto';
import type { ActivityDetail, ActivityView, BulkReviewResult, ReviewQueueItem } from '../activities.service';

/** An activity (a record counted towards a requirement) with its category fields. */
export class ActivityViewDto implements ActivityView {
  id: number;
  unitId: number;
  unitName: string;
  province: string;
  /** The unit's program and rule-set version: which requirements and labels apply. */
  program: string;
  ruleSetVersion: number;
  /** Requirement key, e.g. `exchange_events`. */
  requirement: string;
  /** YYYY-MM-DD, Asia/Shanghai. */
  date: string;
  title: string;
  description: string | null;
  status: ActivityStatus;
  /** The reviewer's reason, when rejected. */
  rejectReason: string | null;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  reviewedById: number | null;
  createdById: number | null;
  updatedById: number | null;
  createdAt: Date;
  updatedAt: Date;
  location: string | null;
  participants: number | null;
  standardLevel: string | null;
  standardKind: string | null;
  standardNumber: string | null;
  journal: string | null;
  journalLevel: string | null;
  issn: string | null;
  authors: string | null;
  personName: string | null;
  /** Certificate or ID number, normalised so one person counts once. */
  personKey: string | null;
  certificate: string | null;
  recipient: string | null;
  outlet: string | null;
  outletLevel: string | null;
  url: string | null;
}

/** An activity with its evidence files. */
export class ActivityDetailDto extends ActivityViewDto implements ActivityDetail {
  evidence: EvidenceViewDto[];
}

/** A review queue entry: the activity and the number of comments in its conversation. */
export class ReviewQueueItemDto extends ActivityViewDto implements ReviewQueueItem {
  commentCount: number;
  /** Open duplicate claims this activity is part of (GET /api/v1/integrity/duplicates lists them). */
  duplicateCount: number;
}

/** The outcome of one activity of a bulk review. */
export class BulkReviewResultDto implements BulkReviewResult {
  id: number;
  ok: boolean;
  /** The activity's status after the review (when ok). */
  status?: ActivityStatus;
  /** Why this one was not reviewed (when not ok): HTTP-like status and bilingual message. */
  statusCode?: number;
  message?: string;
  messageZh?: string;
}

export class BulkReviewResultsDto {
  /** One per id, in the order sent. */
  results: BulkReviewResultDto[];
}
