import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager, MikroORM } from '@mikro-orm/core';
import { DomainError, Env } from '@app/common';
import { AuditLog, OutboxMessage, dialectOf } from '@app/db';
import { fileNameFor } from './message-id';
import { MailTransport, type OutgoingMail } from './mail.transport';
import { OutboxRenderers } from './outbox.renderers';
import { storedRendering } from './outbox.service';
import type { ProcessSummary, RenderedMail, SendOutcome } from './outbox.types';
import { backoffSeconds, classifySendError } from './retry-policy';

export interface ProcessOptions {
  /** Only rows of this period (the CLI drains its own run). */
  period?: string;
  /** Stop after claiming this many rows. */
  limit?: number;
  /** Called after each row's outcome is recorded. */
  onResult?: (message: OutboxMessage, outcome: SendOutcome) => void;
}

const BATCH = 20;
const CONCURRENCY = 4;

/**
 * Sends what the outbox holds. Rows are claimed by one atomic UPDATE (PostgreSQL: the candidates are
 * taken `FOR UPDATE SKIP LOCKED`, so workers on several instances never claim the same row), each claim
 * is leased for MAIL_LEASE_SECONDS so a crashed worker's rows come back, and every outcome is recorded
 * only if the claim is still ours.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private timer?: NodeJS.Timeout;
  private running?: Promise<ProcessSummary>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly env: Env,
    private readonly transport: MailTransport,
    private readonly renderers: OutboxRenderers,
  ) {}

  /** Polls only on instances that run workers (ROLE all or worker). */
  get enabled(): boolean {
    return this.env.ROLE === 'all' || this.env.ROLE === 'worker';
  }

  onApplicationBootstrap() {
    if (!this.enabled) return;
    this.logger.log(
      `Outbox worker started (${this.transport.kind === 'smtp' ? 'SMTP' : `files in ${this.transport.mailDir}`})`,
    );
    this.timer = setInterval(() => this.kick(), this.env.MAIL_POLL_SECONDS * 1000);
    this.kick();
  }

  async onApplicationShutdown() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Starts a pass now (or right after the current one) without waiting for it. */
  kick(): void {
    if (this.stopped || !this.enabled) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.processDue()
      .catch((e: unknown) => {
        this.logger.error(`Outbox pass failed: ${(e as Error).stack ?? String(e)}`);
        return { claimed: 0, sent: 0, retrying: 0, failed: 0 };
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Claims and sends due rows until none are left (or `limit` is reached). */
  async processDue(opts: ProcessOptions = {}): Promise<ProcessSummary> {
    const total: ProcessSummary = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
    while (!this.stopped) {
      const room = opts.limit === undefined ? BATCH : Math.min(BATCH, opts.limit - total.claimed);
      if (room <= 0) break;
      const batch = await this.claim(room, opts.period);
      if (!batch.length) break;
      total.claimed += batch.length;
      await eachLimited(batch, CONCURRENCY, async (m) => {
        const outcome = await this.deliver(m);
        total[outcome]++;
        opts.onResult?.(m, outcome);
      });
    }
    return total;
  }

  /** Marks up to `limit` due rows as ours (status sending, leased) and returns them. */
  async claim(limit: number, period?: string): Promise<OutboxMessage[]> {
    const em = this.orm.em.fork();
    const token = randomUUID();
    const now = new Date();
    const until = new Date(now.getTime() + this.env.MAIL_LEASE_SECONDS * 1000);
    const d = (x: Date) => em.getPlatform().processDateProperty(x);
    const due =
      `(("status" = 'queued' and "next_attempt_at" <= ?) or ("status" = 'sending' and "locked_until" < ?))` +
      (period ? ` and "period" = ?` : '');
    const dueParams = [d(now), d(now), ...(period ? [period] : [])];
    const set =
      `"status" = 'sending', "attempts" = "attempts" + 1, "claim_token" = ?, "locked_until" = ?, ` +
      `"last_attempt_at" = ?, "updated_at" = ?`;
    const setParams = [token, d(until), d(now), d(now)];
    const conn = em.getConnection();
    if (dialectOf(this.env.DATABASE_URL) === 'postgresql') {
      await conn.execute(
        `with c as (select "id" from "outbox_messages" where ${due} order by "next_attempt_at", "id" limit ? ` +
          `for update skip locked) update "outbox_messages" m set ${set} from c where m."id" = c."id"`,
        [...dueParams, limit, ...setParams],
        'run',
      );
    } else {
      // SQLite: one writer at a time, and this single statement is atomic.
      await conn.execute(
        `update "outbox_messages" set ${set} where "id" in (select "id" from "outbox_messages" where ${due} ` +
          `order by "next_attempt_at", "id" limit ?)`,
        [...setParams, ...dueParams, limit],
        'run',
      );
    }
    return em.find(OutboxMessage, { claimToken: token }, { orderBy: { id: 'asc' } });
  }

  /** Renders (first time only), sends and records the outcome of one claimed row. */
  async deliver(m: OutboxMessage): Promise<SendOutcome> {
    const em = this.orm.em.fork();
    const token = m.claimToken as string;
    let mail: OutgoingMail;
    try {
      const rendered = await this.renderedOf(em, m, token);
      mail = {
        to: m.recipient,
        toName: m.recipientName,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        attachments: rendered.attachments,
        messageId: m.messageId,
        fileName: fileNameFor(m.idempotencyKey),
      };
    } catch (e) {
      // A domain error (the unit or supervisor is gone) will not change; anything else may (a database
      // hiccup) and is retried within the attempt limit.
      return this.recordFailure(em, m, token, {
        transient: !(e instanceof DomainError),
        message: `render: ${(e as Error).message}`,
      });
    }
    let response: string;
    try {
      ({ response } = await this.transport.send(mail));
    } catch (e) {
      return this.recordFailure(em, m, token, classifySendError(e));
    }
    // Outside the try: once the server has accepted the mail, failing to record that is no send
    // failure and must not queue it again. The row stays claimed until its lease ends, then is sent
    // once more under the same Message-ID.
    return this.recordSent(em, m, token, response);
  }

  private async renderedOf(em: EntityManager, m: OutboxMessage, token: string): Promise<RenderedMail> {
    if (m.html != null && m.text != null && m.subject != null) {
      return {
        subject: m.subject,
        html: m.html,
        text: m.text,
        attachments: (m.attachments ?? []).map((a) => {
          if (a.content === undefined) throw new Error(`attachment ${a.filename} has no stored content`);
          return {
            filename: a.filename,
            contentType: a.contentType,
            cid: a.cid,
            content: Buffer.from(a.content, 'base64'),
          };
        }),
      };
    }
    const renderer = this.renderers.get(m.kind);
    if (!renderer) throw new Error(`no renderer for mail kind ${m.kind}`);
    // The subject is cut once, here, so the first attempt sends what a retry would.
    const rendered = await renderer(m);
    const stored = storedRendering(rendered);
    // Kept so a retry (or a restart) sends the very same mail.
    await em.nativeUpdate(OutboxMessage, { id: m.id, claimToken: token }, stored);
    Object.assign(m, stored);
    return { ...rendered, subject: stored.subject };
  }

  private async recordSent(
    em: EntityManager,
    m: OutboxMessage,
    token: string,
    response: string,
  ): Promise<SendOutcome> {
    const now = new Date();
    const changes = {
      status: 'sent' as const,
      sentAt: now,
      transportResponse: response.slice(0, 2000),
      lockedUntil: null,
      claimToken: null,
      // Content is dropped once delivered; the row keeps what regenerates it.
      attachments: (m.attachments ?? []).map(({ content: _c, ...meta }) => meta),
      updatedAt: now,
    };
    await em.transactional(async (tx) => {
      const n = await tx.nativeUpdate(OutboxMessage, { id: m.id, claimToken: token }, changes);
      if (!n) {
        this.logger.warn(`Mail ${m.id} was sent after its claim expired; another worker may repeat it`);
        return;
      }
      tx.persist(
        this.audit(tx, m, 'mail_sent', { to: m.recipient, kind: m.kind, period: m.period, response }),
      );
    });
    Object.assign(m, changes);
    return 'sent';
  }

  private async recordFailure(
    em: EntityManager,
    m: OutboxMessage,
    token: string,
    failure: { transient: boolean; message: string },
  ): Promise<SendOutcome> {
    const now = new Date();
    const retry = failure.transient && m.attempts < this.env.MAIL_MAX_ATTEMPTS;
    const changes = retry
      ? {
          status: 'queued' as const,
          nextAttemptAt: new Date(
            now.getTime() + backoffSeconds(m.attempts, this.env.MAIL_RETRY_BASE_SECONDS) * 1000,
          ),
          lastError: failure.message,
          lockedUntil: null,
          claimToken: null,
          updatedAt: now,
        }
      : {
          status: 'failed' as const,
          lastError: failure.message,
          lockedUntil: null,
          claimToken: null,
          updatedAt: now,
        };
    await em.transactional(async (tx) => {
      const n = await tx.nativeUpdate(OutboxMessage, { id: m.id, claimToken: token }, changes);
      if (n && !retry) {
        tx.persist(
          this.audit(tx, m, 'mail_failed', {
            to: m.recipient,
            kind: m.kind,
            period: m.period,
            error: failure.message,
          }),
        );
      }
    });
    Object.assign(m, changes);
    if (!retry) this.logger.warn(`Mail ${m.id} to ${m.recipient} failed: ${failure.message}`);
    return retry ? 'retrying' : 'failed';
  }

  private audit(em: EntityManager, m: OutboxMessage, action: string, changes: Record<string, unknown>) {
    return em.create(AuditLog, {
      at: new Date(),
      actorId: null,
      actorEmail: null,
      action,
      entity: 'outbox_message',
      entityId: String(m.id),
      changes: { ...changes, messageId: m.messageId, attempts: m.attempts },
    });
  }
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}
