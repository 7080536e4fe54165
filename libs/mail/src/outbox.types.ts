import type { OutboxChannel, OutboxMessage } from '@app/db';
import type { OutgoingAttachment } from './mail.transport';

/** A mail ready to send: what a renderer returns and what the outbox stores. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
  attachments: OutgoingAttachment[];
}

/**
 * What the renders of one worker pass share: a small cache, so work common to several mails (a unit's
 * figures and charts, for each of its contacts) is done once per pass rather than once per mail.
 */
export interface RenderPass {
  /** The result of `make` for `key`, made at most once while the pass remembers it. */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
}

/**
 * Builds the mail of an outbox row from what it records (kind, unit or user, period, asOf, locale);
 * `pass` is the cache of the worker pass rendering it.
 */
export type OutboxRenderer = (message: OutboxMessage, pass?: RenderPass) => Promise<RenderedMail>;

export interface EnqueueSpec {
  idempotencyKey: string;
  kind: string;
  period: string;
  /** An e-mail address; for a robot row (channel wecom or dingtalk, robotId) its masked webhook. */
  recipient: string;
  /** Default mail. */
  channel?: OutboxChannel;
  robotId?: number | null;
  recipientName?: string | null;
  locale?: 'zh' | 'en';
  unitId?: number | null;
  userId?: number | null;
  asOf?: string | null;
  runId?: number | null;
  /**
   * Given for mails rendered up front; report mails leave it out and are rendered by the worker. Robot
   * rows: subject is the title, text the markdown, html ''.
   */
  rendered?: RenderedMail;
}

export interface EnqueueResult {
  /** Rows created now. */
  created: number;
  /** Keys that already had a row, by that row's status. */
  existing: Record<'queued' | 'sending' | 'sent' | 'failed', number>;
}

export interface ProcessSummary {
  claimed: number;
  sent: number;
  /** Transient failures put back for a later attempt. */
  retrying: number;
  failed: number;
  /** Claims that ran out (or were taken over) before the outcome was ours to record: counted by whoever holds the row. */
  lost: number;
}

/** `lost`: the claim was no longer ours; nothing was recorded (and, before the send, nothing sent). */
export type SendOutcome = 'sent' | 'retrying' | 'failed' | 'lost';
