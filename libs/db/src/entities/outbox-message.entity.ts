import { CalendarDate } from './calendar-date.type';
import { Entity, Index, type Opt, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';

/** mail: an e-mail over SMTP; wecom, dingtalk: a markdown message to a group robot (robotId). */
export type OutboxChannel = 'mail' | 'wecom' | 'dingtalk';

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';
export const OUTBOX_STATUSES = [
  'queued',
  'sending',
  'sent',
  'failed',
] as const satisfies readonly OutboxStatus[];

/** One attachment of a rendered mail; `content` (base64) is dropped once the mail is sent. */
export interface OutboxAttachment {
  filename: string;
  contentType: string;
  /** Content-ID for inline images referenced as `cid:` from the HTML. */
  cid?: string;
  size: number;
  content?: string;
}

/**
 * Every e-mail and robot message the service sends is first one of these rows (SPEC §4 "Report / outbox"). The unique
 * idempotency key makes enqueueing repeatable; the worker claims due rows, sends, and records the outcome.
 * Report mails are enqueued with what regenerates them (kind, unit or user, period, asOf, locale) and
 * rendered by the worker on the first attempt; the rendered subject, HTML, text and attachments are
 * kept so a retry sends the same mail.
 */
@Entity({ tableName: 'outbox_messages' })
@Index({ properties: ['status', 'nextAttemptAt'] })
@Index({ properties: ['period', 'kind'] })
@Index({ properties: ['recipient'] })
@Index({ properties: ['robotId', 'lastAttemptAt'] })
export class OutboxMessage extends BaseEntity {
  @Unique()
  @Property({ type: 'string', length: 400 })
  idempotencyKey!: string;

  /** unit_report, supervisor_digest, … */
  @Property({ type: 'string', length: 40 })
  kind!: string;

  /** Report month 'YYYY-MM'. */
  @Property({ type: 'string', length: 7 })
  period!: string;

  @Property({ type: 'string', length: 10, default: 'mail' })
  channel: Opt<OutboxChannel> = 'mail';

  /** The robot a wecom or dingtalk row goes to. */
  @Property({ type: 'integer', nullable: true })
  robotId?: number | null;

  /** Lower-case address; for a robot row its masked webhook. */
  @Property({ type: 'string', length: 254 })
  recipient!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  recipientName?: string | null;

  @Property({ type: 'string', length: 2 })
  locale: Opt<'zh' | 'en'> = 'zh';

  /** The unit a unit report is about. */
  @Property({ type: 'integer', nullable: true })
  unitId?: number | null;

  /** The user a digest is for. */
  @Property({ type: 'integer', nullable: true })
  userId?: number | null;

  /** Calendar date (Asia/Shanghai) the report's numbers are computed for. */
  @Property({ type: CalendarDate, nullable: true })
  asOf?: string | null;

  /** The report run that created the row. */
  @Property({ type: 'integer', nullable: true })
  runId?: number | null;

  @Property({ type: 'string', length: 10 })
  status: Opt<OutboxStatus> = 'queued';

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  @Property({ type: 'datetime' })
  nextAttemptAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', nullable: true })
  lastAttemptAt?: Date | null;

  /** While `sending`: the claim expires then, so a crashed worker's rows are picked up again. */
  @Property({ type: 'datetime', nullable: true })
  lockedUntil?: Date | null;

  @Property({ type: 'string', length: 36, nullable: true })
  claimToken?: string | null;

  /** The last failure: the server's answer or the error. */
  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  /** Deterministic per idempotency key, so a repeated send is recognisable as the same mail. */
  @Property({ type: 'string', length: 255 })
  messageId!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  subject?: string | null;

  @Property({ type: 'text', nullable: true })
  html?: string | null;

  @Property({ type: 'text', nullable: true })
  text?: string | null;

  @Property({ type: 'json', nullable: true })
  attachments?: OutboxAttachment[] | null;

  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;

  /** The SMTP server's final answer, or where the file transport wrote the .eml. */
  @Property({ type: 'text', nullable: true })
  transportResponse?: string | null;
}
