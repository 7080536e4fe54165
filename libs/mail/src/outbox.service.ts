import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery, type RequiredEntityData } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { ConflictError, Env, NotFoundError } from '@app/common';
import {
  AuditLog,
  OutboxMessage,
  type OutboxAttachment,
  type OutboxChannel,
  type OutboxStatus,
} from '@app/db';
import { runBound } from './bound-query';
import { messageIdFor } from './message-id';
import type { EnqueueResult, EnqueueSpec, RenderedMail } from './outbox.types';

export interface OutboxQuery {
  status?: OutboxStatus;
  kind?: string;
  period?: string;
  /** Substring of the address, case-insensitive. */
  recipient?: string;
  unitId?: number;
  page: number;
  pageSize: number;
}

/** What lists show of a row: no bodies, no attachment content. */
export interface OutboxSummary {
  id: number;
  idempotencyKey: string;
  kind: string;
  period: string;
  channel: OutboxChannel;
  /** The robot of a wecom or dingtalk row. */
  robotId: number | null;
  /** The address; for a robot row its masked webhook. */
  recipient: string;
  recipientName: string | null;
  locale: string;
  unitId: number | null;
  userId: number | null;
  asOf: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastError: string | null;
  messageId: string;
  subject: string | null;
  sentAt: Date | null;
  transportResponse: string | null;
  createdAt: Date;
  attachments: Omit<OutboxAttachment, 'content'>[];
}

export interface OutboxDetail extends OutboxSummary {
  html: string | null;
  text: string | null;
}

type Actor = { id: number; email: string } | null;

const EMPTY_EXISTING = (): EnqueueResult['existing'] => ({ queued: 0, sending: 0, sent: 0, failed: 0 });

/** Enqueueing, listing and retrying outbox rows. Sending is the worker's job. */
@Injectable()
export class OutboxService {
  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
  ) {}

  /**
   * Creates a row for every key that has none; keys that already have one are counted, not touched.
   * Pass the transaction's EntityManager to enqueue atomically with other work.
   */
  async enqueue(specs: readonly EnqueueSpec[], em: EntityManager = this.em): Promise<EnqueueResult> {
    const existing = EMPTY_EXISTING();
    const keys = specs.map((s) => s.idempotencyKey);
    const seen = await this.statusesOf(keys, em);
    const now = new Date();
    const fresh = new Map<string, RequiredEntityData<OutboxMessage>>();
    for (const s of specs) {
      const status = seen.get(s.idempotencyKey);
      if (status) {
        existing[status]++;
        continue;
      }
      if (fresh.has(s.idempotencyKey)) continue;
      fresh.set(s.idempotencyKey, {
        idempotencyKey: s.idempotencyKey,
        kind: s.kind,
        period: s.period,
        channel: s.channel ?? 'mail',
        robotId: s.robotId ?? null,
        recipient: s.recipient.trim().toLowerCase(),
        recipientName: s.recipientName ?? null,
        locale: s.locale ?? 'zh',
        unitId: s.unitId ?? null,
        userId: s.userId ?? null,
        asOf: s.asOf ?? null,
        runId: s.runId ?? null,
        status: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        messageId: messageIdFor(s.idempotencyKey, this.env.MAIL_FROM),
        ...(s.rendered ? storedRendering(s.rendered) : {}),
        createdAt: now,
        updatedAt: now,
      });
    }
    const rows = [...fresh.values()];
    let created = 0;
    for (let i = 0; i < rows.length; i += 200) {
      // A key created meanwhile elsewhere is left alone by the unique index, never duplicated, and is
      // not counted as created: only the rows actually inserted (and returned) are. Bound parameters:
      // rows given rendered carry the whole mail.
      const inserted = await runBound(
        em,
        (em as SqlEntityManager)
          .createQueryBuilder(OutboxMessage)
          .insert(rows.slice(i, i + 200))
          .onConflict(['idempotencyKey'])
          .ignore()
          .returning(['id']),
      );
      created += (inserted as unknown[]).length;
    }
    return { created, existing };
  }

  /** The status of the row of each key that has one. */
  async statusesOf(keys: readonly string[], em: EntityManager = this.em): Promise<Map<string, OutboxStatus>> {
    const statuses = new Map<string, OutboxStatus>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await em.find(
        OutboxMessage,
        { idempotencyKey: { $in: unique.slice(i, i + 500) } },
        { fields: ['idempotencyKey', 'status'] },
      );
      for (const r of rows) statuses.set(r.idempotencyKey, r.status);
    }
    return statuses;
  }

  async list(q: OutboxQuery) {
    const where: FilterQuery<OutboxMessage> = {};
    if (q.status) where.status = q.status;
    if (q.kind) where.kind = q.kind;
    if (q.period) where.period = q.period;
    if (q.unitId) where.unitId = q.unitId;
    if (q.recipient) where.recipient = { $like: `%${q.recipient.trim().toLowerCase()}%` };
    const [items, total] = await this.em.findAndCount(OutboxMessage, where, {
      orderBy: { id: 'desc' },
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
      exclude: ['html', 'text'],
    });
    return { items: items.map(summary), total, page: q.page, pageSize: q.pageSize };
  }

  async get(id: number): Promise<OutboxDetail> {
    const m = await this.em.findOne(OutboxMessage, { id });
    if (!m) throw new NotFoundError(`outbox message ${id}`);
    return { ...summary(m), html: m.html ?? null, text: m.text ?? null };
  }

  /** Puts a failed mail back in the queue with a fresh set of attempts. */
  async retry(actor: Actor, id: number): Promise<OutboxSummary> {
    const m = await this.em.findOne(OutboxMessage, { id });
    if (!m) throw new NotFoundError(`outbox message ${id}`);
    if (m.status !== 'failed') {
      throw new ConflictError(
        `只能重发发送失败的邮件（当前状态：${m.status}）`,
        `Only failed mails can be retried (status: ${m.status})`,
      );
    }
    const before = { status: m.status, attempts: m.attempts, lastError: m.lastError };
    m.status = 'queued';
    m.attempts = 0;
    m.nextAttemptAt = new Date();
    this.em.persist(
      this.em.create(AuditLog, {
        at: new Date(),
        actorId: actor?.id ?? null,
        actorEmail: actor?.email ?? null,
        action: 'mail_retry',
        entity: 'outbox_message',
        entityId: String(m.id),
        changes: {
          status: [before.status, 'queued'],
          attempts: [before.attempts, 0],
          lastError: before.lastError,
        },
      }),
    );
    await this.em.flush();
    return summary(m);
  }
}

/** The subject as stored and sent: at most 500 characters (code points, never half a pair). */
export function storedSubject(subject: string): string {
  return subject.length <= 500 ? subject : Array.from(subject).slice(0, 500).join('');
}

/** The columns that hold a rendered mail. */
export function storedRendering(r: RenderedMail) {
  return {
    subject: storedSubject(r.subject),
    html: r.html,
    text: r.text,
    attachments: r.attachments.map((a): OutboxAttachment => ({
      filename: a.filename,
      contentType: a.contentType,
      ...(a.cid ? { cid: a.cid } : {}),
      size: a.content.length,
      content: a.content.toString('base64'),
    })),
  };
}

export function summary(m: OutboxMessage): OutboxSummary {
  return {
    id: m.id,
    idempotencyKey: m.idempotencyKey,
    kind: m.kind,
    period: m.period,
    channel: m.channel,
    robotId: m.robotId ?? null,
    recipient: m.recipient,
    recipientName: m.recipientName ?? null,
    locale: m.locale,
    unitId: m.unitId ?? null,
    userId: m.userId ?? null,
    asOf: m.asOf ?? null,
    status: m.status,
    attempts: m.attempts,
    nextAttemptAt: m.nextAttemptAt,
    lastAttemptAt: m.lastAttemptAt ?? null,
    lastError: m.lastError ?? null,
    messageId: m.messageId,
    subject: m.subject ?? null,
    sentAt: m.sentAt ?? null,
    transportResponse: m.transportResponse ?? null,
    createdAt: m.createdAt,
    attachments: (m.attachments ?? []).map(({ content: _content, ...meta }) => meta),
  };
}
