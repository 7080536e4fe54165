import { ApiProperty } from '@nestjs/swagger';
import type { AuditView } from './audit-query.service';

/** One recorded change or sign-in. */
export class AuditViewDto implements AuditView {
  id: number;
  at: Date;
  actorId: number | null;
  actorEmail: string | null;
  /** create, update, delete, submit, verify, reject, login, ... */
  action: string;
  /** unit, user, activity, ... */
  entity: string;
  entityId: string | null;
  /** What changed: per field `[before, after]`, or the event's details. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  changes: Record<string, unknown> | null;
}
