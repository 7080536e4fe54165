export * from './base.entity';
export * from './calendar-date.type';
export * from './unit.entity';
export * from './user.entity';
export * from './session.entity';
export * from './activity.entity';
export * from './evidence-file.entity';
export * from './activity-comment.entity';
export * from './audit-log.entity';
export * from './outbox-message.entity';
export * from './report-run.entity';
export * from './unit-target.entity';
export * from './compliance-count.entity';
export * from './login-failure.entity';
export * from './password-reset.entity';
export * from './robot.entity';
export * from './program-setting.entity';
export * from './calendar-feed.entity';
export * from './period-close.entity';
export * from './unit-status-change.entity';
export * from './claim.entity';
import { Unit } from './unit.entity';
import { User } from './user.entity';
import { Session } from './session.entity';
import { Activity } from './activity.entity';
import { EvidenceFile } from './evidence-file.entity';
import { ActivityComment } from './activity-comment.entity';
import { AuditLog, AuditVerification } from './audit-log.entity';
import { OutboxMessage } from './outbox-message.entity';
import { ReportRun } from './report-run.entity';
import { UnitTarget } from './unit-target.entity';
import { ActivityMonthCount, ComplianceCount, ComplianceVersion } from './compliance-count.entity';
import { LoginFailure } from './login-failure.entity';
import { PasswordReset } from './password-reset.entity';
import { Robot } from './robot.entity';
import { ProgramSetting } from './program-setting.entity';
import { CalendarFeed } from './calendar-feed.entity';
import { PeriodClose } from './period-close.entity';
import { UnitStatusChange } from './unit-status-change.entity';
import { ClaimFingerprint, ClaimMatch } from './claim.entity';

/** Every entity, registered explicitly (no folder scanning, so builds and tests see the same set). */
export const ENTITIES = [
  Unit,
  User,
  Session,
  Activity,
  EvidenceFile,
  ActivityComment,
  AuditLog,
  AuditVerification,
  OutboxMessage,
  ReportRun,
  UnitTarget,
  ComplianceCount,
  ActivityMonthCount,
  ComplianceVersion,
  LoginFailure,
  PasswordReset,
  Robot,
  ProgramSetting,
  CalendarFeed,
  PeriodClose,
  UnitStatusChange,
  ClaimFingerprint,
  ClaimMatch,
];
