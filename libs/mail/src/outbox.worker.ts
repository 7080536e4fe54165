import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager, MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex } from '@mikro-orm/knex';
import { DomainError, Env } from '@app/common';
import { AuditLog, OutboxMessage, Robot, dialectOf } from '@app/db';
import { runBound, updateBound } from './bound-query';
import { fileNameFor } from './message-id';
import { MailTransport } from './mail.transport';
import { OutboxRenderers } from './outbox.renderers';
import { storedRendering } from './outbox.service';
import type { ProcessSummary, RenderedMail, RenderPass, SendOutcome } from './outbox.types';
import { PassMemo } from './render-pass';
import { backoffSeconds, classifySendError } from './retry-policy';
import { ROBOT_MESSAGES_PER_MINUTE, RobotSendError, RobotSender } from './robot.sender';

export interface ProcessOptions {
  /** Only rows of this period (the CLI drains its own run). */
  period?: string;
  /** Stop after claiming this many rows. */
  limit?: number;
  /** Called after each row's outcome is recorded. */
  onResult?: (message: OutboxMessage, outcome: SendOutcome) => void;
}

/** Claims between two looks for rows whose worker stopped mid-send. */
const ABANDONED_CHECK_EVERY = 20;
const ABANDONED = 'worker stopped while sending; attempt limit reached';
const CONCURRENCY = 4;
/** PostgreSQL advisory lock taken by each claim, so two claims never both see a robot under its limit. */
const CLAIM_LOCK = 7_303_002;

/** The renderer kind of a robot row of `kind` (a markdown message instead of a mail). */
export const robotRenderKind = (kind: string) => `robot:${kind}`;

/**
 * Sends what the outbox holds. Rows are claimed by one atomic UPDATE (PostgreSQL: the candidates are
 * taken `FOR UPDATE SKIP LOCKED`, so workers on several instances never claim the same row), each claim
 * is leased for MAIL_LEASE_SECONDS so a crashed worker's rows come back, the claim is confirmed (and its
 * lease renewed) right before the send, and every outcome is recorded only if the claim is still ours.
 * Leases are set and compared on the database's clock, so instances whose clocks drift still agree on
 * them (SQLite runs inside the one process, whose clock is the database's).
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
    private readonly robots: RobotSender,
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
        return { claimed: 0, sent: 0, retrying: 0, failed: 0, lost: 0 };
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * Claims and sends due rows until none are left (or `limit` is reached). CONCURRENCY lanes each claim
   * one row when they are free to send it: a claimed row never waits for others to be sent (a claim
   * counts an attempt, and a row that waits may outlive its lease and be sent twice).
   */
  async processDue(opts: ProcessOptions = {}): Promise<ProcessSummary> {
    const total: ProcessSummary = { claimed: 0, sent: 0, retrying: 0, failed: 0, lost: 0 };
    // Shared by the renders of this pass (e.g. a unit's figures and charts for each of its contacts).
    const pass = new PassMemo();
    let sinceAbandonedCheck = ABANDONED_CHECK_EVERY;
    const sending = new Set<number>();
    const lane = async () => {
      while (!this.stopped && (opts.limit === undefined || total.claimed < opts.limit)) {
        if (sinceAbandonedCheck >= ABANDONED_CHECK_EVERY) {
          sinceAbandonedCheck = 0;
          for (const m of await this.failAbandoned(opts.period)) {
            total.failed++;
            opts.onResult?.(m, 'failed');
          }
        }
        total.claimed++; // reserved before the claim's await, so lanes never pass `limit` together
        // Never a row another lane of this worker is still sending (its lease may run out mid-send).
        const [m] = await this.claim(1, opts.period, sending);
        if (!m) {
          total.claimed--;
          return;
        }
        sinceAbandonedCheck++;
        sending.add(m.id);
        try {
          const outcome = await this.deliver(m, pass);
          total[outcome]++;
          opts.onResult?.(m, outcome);
        } finally {
          sending.delete(m.id);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    return total;
  }

  /**
   * Marks up to `limit` due rows as ours (status sending, leased), none of `except`, and returns them.
   * `except` is read when the statement runs (on PostgreSQL once the claim lock is held), not when the
   * claim is asked for: a lane that waited for its turn still skips a row another lane began sending.
   */
  async claim(
    limit: number,
    period?: string,
    except: ReadonlySet<number> = new Set(),
  ): Promise<OutboxMessage[]> {
    const em = this.orm.em.fork();
    const token = randomUUID();
    const now = new Date();
    const d = (x: Date) => em.getPlatform().processDateProperty(x);
    const lease = this.leaseSql(em, now);
    const windowStart = new Date(now.getTime() - this.env.ROBOT_RATE_WINDOW_SECONDS * 1000);
    const due = () => {
      const skip = [...except];
      const sql =
        `(("status" = 'queued' and "next_attempt_at" <= ?) or ` +
        `("status" = 'sending' and "locked_until" < ${lease.now.sql} and "attempts" < ?))` +
        (period ? ` and "period" = ?` : '') +
        // A robot takes ROBOT_MESSAGES_PER_MINUTE messages per window: its rows wait while it has had that many.
        ` and ("robot_id" is null or (select count(*) from "outbox_messages" "r" where "r"."robot_id" = ` +
        `"outbox_messages"."robot_id" and "r"."last_attempt_at" > ?) < ?)` +
        (skip.length ? ` and "id" not in (${skip.map(() => '?').join(', ')})` : '');
      const params = [
        d(now),
        ...lease.now.params,
        this.env.MAIL_MAX_ATTEMPTS,
        ...(period ? [period] : []),
        d(windowStart),
        ROBOT_MESSAGES_PER_MINUTE,
        ...skip,
      ];
      return { sql, params };
    };
    const set =
      `"status" = 'sending', "attempts" = "attempts" + 1, "claim_token" = ?, "locked_until" = ${lease.end.sql}, ` +
      `"last_attempt_at" = ?, "updated_at" = ?`;
    const setParams = [token, ...lease.end.params, d(now), d(now)];
    if (this.postgres) {
      // Claims take turns (each is one short statement), so a robot's count is never read by two at once.
      await em.transactional(async (tx) => {
        const ctx = tx.getTransactionContext();
        await tx.getConnection().execute(`select pg_advisory_xact_lock(${CLAIM_LOCK})`, [], 'all', ctx);
        const where = due();
        await tx
          .getConnection()
          .execute(
            `with c as (select "id" from "outbox_messages" where ${where.sql} order by "next_attempt_at", "id" limit ? ` +
              `for update skip locked) update "outbox_messages" m set ${set} from c where m."id" = c."id"`,
            [...where.params, limit, ...setParams],
            'run',
            ctx,
          );
      });
    } else {
      // SQLite: one writer at a time, and this single statement is atomic.
      const where = due();
      await em
        .getConnection()
        .execute(
          `update "outbox_messages" set ${set} where "id" in (select "id" from "outbox_messages" where ${where.sql} ` +
            `order by "next_attempt_at", "id" limit ?)`,
          [...setParams, ...where.params, limit],
          'run',
        );
    }
    return em.find(OutboxMessage, { claimToken: token }, { orderBy: { id: 'asc' } });
  }

  /**
   * Fails the rows whose worker stopped mid-send (lease run out) on their last allowed attempt, instead of
   * claiming them again: a mail that crashes its worker every time must not be retried forever.
   */
  private async failAbandoned(period?: string): Promise<OutboxMessage[]> {
    const em = this.orm.em.fork();
    const now = new Date();
    const d = (x: Date) => em.getPlatform().processDateProperty(x);
    const lease = this.leaseSql(em, now);
    // One UPDATE: of several workers doing this at once, each row is failed (and audited) by one.
    const rows = await em
      .getConnection()
      .execute<{ id: number }[]>(
        `update "outbox_messages" set "status" = 'failed', "last_error" = ?, "locked_until" = null, ` +
          `"claim_token" = null, "updated_at" = ? where "status" = 'sending' and "locked_until" < ${lease.now.sql} ` +
          `and "attempts" >= ?${period ? ` and "period" = ?` : ''} returning "id"`,
        [ABANDONED, d(now), ...lease.now.params, this.env.MAIL_MAX_ATTEMPTS, ...(period ? [period] : [])],
        'all',
      );
    if (!rows.length) return [];
    const failed = await em.find(
      OutboxMessage,
      { id: { $in: rows.map((r: { id: number }) => r.id) } },
      { orderBy: { id: 'asc' } },
    );
    for (const m of failed) {
      em.persist(
        this.audit(em, m, 'mail_failed', {
          to: m.recipient,
          kind: m.kind,
          period: m.period,
          error: ABANDONED,
        }),
      );
      this.logger.warn(`Mail ${m.id} to ${m.recipient} failed: ${ABANDONED}`);
    }
    await em.flush();
    return failed;
  }

  private get postgres(): boolean {
    return dialectOf(this.env.DATABASE_URL) === 'postgresql';
  }

  /** SQL for the database's "now" and for the end of a lease starting now. */
  private leaseSql(em: EntityManager, now: Date) {
    if (this.postgres) {
      return {
        now: { sql: 'now()', params: [] as unknown[] },
        end: { sql: 'now() + make_interval(secs => ?)', params: [this.env.MAIL_LEASE_SECONDS] as unknown[] },
      };
    }
    const d = (x: Date) => em.getPlatform().processDateProperty(x);
    const until = new Date(now.getTime() + this.env.MAIL_LEASE_SECONDS * 1000);
    return { now: { sql: '?', params: [d(now)] }, end: { sql: '?', params: [d(until)] } };
  }

  /**
   * Whether the row is still ours (sending, our token, lease not run out), renewing the lease for the
   * send if so; one atomic UPDATE, so a row taken over meanwhile is never sent by two workers at once.
   */
  private async renewClaim(em: EntityManager, m: OutboxMessage, token: string): Promise<boolean> {
    const lease = this.leaseSql(em, new Date());
    const res = await em
      .getConnection()
      .execute<{ affectedRows: number }>(
        `update "outbox_messages" set "locked_until" = ${lease.end.sql} ` +
          `where "id" = ? and "status" = 'sending' and "claim_token" = ? and "locked_until" > ${lease.now.sql}`,
        [...lease.end.params, m.id, token, ...lease.now.params],
        'run',
      );
    return res.affectedRows > 0;
  }

  private lost(m: OutboxMessage, when: string): SendOutcome {
    this.logger.debug(`Mail ${m.id}: claim lost ${when}; left to whoever holds it now`);
    return 'lost';
  }

  /**
   * Renders (first time only), sends and records the outcome of one claimed row: a mail through the
   * transport, a robot row (channel wecom or dingtalk) to its robot's webhook.
   */
  async deliver(m: OutboxMessage, pass: RenderPass = new PassMemo()): Promise<SendOutcome> {
    const em = this.orm.em.fork();
    const token = m.claimToken as string;
    let send: () => Promise<{ response: string }>;
    let leased: boolean;
    try {
      const robot = m.channel === 'mail' || !m.robotId ? null : await em.findOne(Robot, { id: m.robotId });
      if (m.channel !== 'mail' && !robot) {
        return this.recordFailure(em, m, token, { transient: false, message: 'robot removed' });
      }
      const got = await this.renderedOf(em, m, token, pass);
      if (!got) return this.lost(m, 'while rendering');
      const rendered = got.mail;
      leased = got.leased;
      send = robot
        ? () => this.robots.send(robot, rendered.subject, rendered.text)
        : () =>
            this.transport.send({
              to: m.recipient,
              toName: m.recipientName,
              subject: rendered.subject,
              html: rendered.html,
              text: rendered.text,
              attachments: rendered.attachments,
              messageId: m.messageId,
              fileName: fileNameFor(m.idempotencyKey),
            });
    } catch (e) {
      // A domain error (the unit or supervisor is gone) will not change; anything else may (a database
      // hiccup) and is retried within the attempt limit.
      return this.recordFailure(em, m, token, {
        transient: !(e instanceof DomainError),
        message: `render: ${(e as Error).message}`,
      });
    }
    // Rendering may have outlasted the lease, and the row been claimed again elsewhere. (A mail rendered
    // just now renewed its lease when it was stored.)
    if (!leased && !(await this.renewClaim(em, m, token))) return this.lost(m, 'before sending');
    let response: string;
    try {
      ({ response } = await send());
    } catch (e) {
      return this.recordFailure(em, m, token, sendFailure(m, e));
    }
    // Outside the try: once the server has accepted the mail, failing to record that is no send
    // failure and must not queue it again. The row stays claimed until its lease ends, then is sent
    // once more under the same Message-ID.
    return this.recordSent(em, m, token, response);
  }

  /**
   * The mail to send, and whether its lease was renewed with it (a mail rendered now); null when the
   * claim was lost while it was being rendered (another worker claimed the row, or the lease ran out).
   */
  private async renderedOf(
    em: EntityManager,
    m: OutboxMessage,
    token: string,
    pass: RenderPass,
  ): Promise<{ mail: RenderedMail; leased: boolean } | null> {
    if (m.html != null && m.text != null && m.subject != null) {
      const mail = {
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
      return { mail, leased: false };
    }
    const kind = m.channel === 'mail' ? m.kind : robotRenderKind(m.kind);
    const renderer = this.renderers.get(kind);
    if (!renderer) throw new Error(`no renderer for ${kind}`);
    // The subject is cut once, here, so the first attempt sends what a retry would.
    const rendered = await renderer(m, pass);
    const stored = storedRendering(rendered);
    // Kept so a retry (or a restart) sends the very same mail, and the lease renewed for the send, in one
    // update that holds only while the claim is ours; the content goes as bound parameters, never as SQL
    // literals.
    const lease = this.leaseSql(em, new Date());
    const knex = (em.getConnection() as AbstractSqlConnection).getKnex();
    const n = await runBound(em, {
      getKnexQuery: () =>
        knex('outbox_messages')
          .where({ id: m.id, status: 'sending', claim_token: token })
          .whereRaw(`"locked_until" > ${lease.now.sql}`, lease.now.params as Knex.Value[])
          .update({
            subject: stored.subject,
            html: stored.html,
            text: stored.text,
            attachments: JSON.stringify(stored.attachments),
            locked_until: knex.raw(lease.end.sql, lease.end.params as Knex.Value[]),
          }),
    });
    if (!Number(n)) return null;
    Object.assign(m, stored);
    return { mail: { ...rendered, subject: stored.subject }, leased: true };
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
    const recorded = await em.transactional(async (tx) => {
      const n = await updateBound(tx, OutboxMessage, { id: m.id, claimToken: token }, changes);
      if (!n) return false;
      tx.persist(
        this.audit(tx, m, 'mail_sent', { to: m.recipient, kind: m.kind, period: m.period, response }),
      );
      return true;
    });
    if (!recorded) {
      // Whoever holds the row now sends it again and counts it.
      this.logger.warn(`Mail ${m.id} was sent after its claim expired; another worker may repeat it`);
      return 'lost';
    }
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
    const recorded = await em.transactional(async (tx) => {
      const n = await updateBound(tx, OutboxMessage, { id: m.id, claimToken: token }, changes);
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
      return n > 0;
    });
    // The row is someone else's now: its outcome is theirs to record and count.
    if (!recorded) return this.lost(m, 'before recording the failure');
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

/** What a failed send means for the row: the transport's classification, or the robot's answer. */
function sendFailure(m: OutboxMessage, e: unknown): { transient: boolean; message: string } {
  if (m.channel === 'mail') return classifySendError(e);
  if (e instanceof RobotSendError) return e.failure;
  return { transient: true, message: (e as Error).message };
}
