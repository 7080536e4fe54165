import type { OutboxAttachment, OutboxChannel, OutboxStatus, ReportRunTrigger } from '@app/db';
import type { OutboxDetail, OutboxSummary } from '@app/mail';
import type { RunSummary } from '../reports.service';

export class OutboxAttachmentDto implements Omit<OutboxAttachment, 'content'> {
  filename: string;
  contentType: string;
  /** Content-ID for inline images referenced as `cid:` from the HTML. */
  cid?: string;
  /** Bytes. */
  size: number;
}

/** A mail of the outbox, without its bodies. */
export class OutboxSummaryDto implements OutboxSummary {
  id: number;
  /** Enqueueing the same key again adds nothing. */
  idempotencyKey: string;
  /** unit_report or supervisor_digest. */
  kind: string;
  /** Report month YYYY-MM. */
  period: string;
  /** mail, or a group robot (wecom, dingtalk). */
  channel: OutboxChannel;
  /** The robot of a wecom or dingtalk row. */
  robotId: number | null;
  /** The e-mail address; for a robot row its masked webhook. */
  recipient: string;
  recipientName: string | null;
  locale: string;
  unitId: number | null;
  userId: number | null;
  /** The date the report's numbers were computed for. */
  asOf: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastError: string | null;
  /** Message-ID header, the same on every attempt. */
  messageId: string;
  subject: string | null;
  sentAt: Date | null;
  /** What the mail server answered. */
  transportResponse: string | null;
  createdAt: Date;
  attachments: OutboxAttachmentDto[];
}

/** A mail of the outbox with its bodies. */
export class OutboxDetailDto extends OutboxSummaryDto implements OutboxDetail {
  html: string | null;
  text: string | null;
}

export class OutboxCountsDto {
  queued: number;
  sending: number;
  sent: number;
  failed: number;
}

/** What a report run did. */
export class RunSummaryDto implements RunSummary {
  runId: number | null;
  period: string;
  /** The date the reports' numbers are computed for. */
  asOf: string;
  trigger: ReportRunTrigger;
  /** Mails the period has recipients for. */
  recipients: number;
  /** Rows created by this run. */
  queued: number;
  /** Recipients that already had a row, by its status. */
  existing: OutboxCountsDto;
  /** Set when a scheduled tick did nothing. */
  skipped?: 'locked' | 'already_ran';
}

/** One execution of the monthly report job. */
export class ReportRunDto {
  id: number;
  /** YYYY-MM */
  period: string;
  trigger: ReportRunTrigger;
  /** For scheduled and caught-up runs: the cron tick this run stands for. */
  scheduledFor: Date | null;
  asOf: string;
  queued: number;
  /** Recipients that already had a mail for the period. */
  skipped: number;
  actorId: number | null;
  /** host:pid of the instance that ran it. */
  instance: string;
  createdAt: Date;
  updatedAt: Date;
}
