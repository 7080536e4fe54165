import { createHash } from 'node:crypto';
import type { EntityManager, EventArgs, EventSubscriber, FlushEventArgs, Transaction } from '@mikro-orm/core';
import { AuditLog } from './entities/audit-log.entity';

/**
 * The audit log's hash chain.
 *
 * Every entry stores `prevHash` (the `hash` of the entry before it in id order; AUDIT_GENESIS for the
 * first) and `hash` = SHA-256 (hex) over the canonical JSON of its content:
 *   {"action","actorEmail","actorId","at","changes","entity","entityId","prevHash"}
 * keys sorted (also inside `changes`, at every depth), no white space, `at` as ISO 8601 UTC with
 * milliseconds (2026-12-01T08:00:00.000Z), `changes` as it is stored (JSON), absent values as null.
 * The id is not hashed: it is assigned by the database on insert, after the hash; its order is what
 * the chain links (each prevHash names its predecessor), so a deleted, inserted or moved entry breaks
 * the link at the entry after it, and a changed one breaks its own hash.
 *
 * Hashes are set in one place, AuditChainSubscriber (registered in ormOptions), whatever code creates
 * the row. It runs in beforeCreate, which MikroORM calls inside the flush's transaction just before the
 * INSERT (onFlush would be too early: the implicit transaction starts after it). There it takes
 * AUDIT_CHAIN_LOCK (PostgreSQL, pg_advisory_xact_lock, held to commit) and only then reads the last
 * hash: concurrent writers, in one or many instances, append one at a time, and as the id is drawn
 * while the lock is held, id order is chain order. SQLite has a single writer (one connection).
 * Raw INSERTs into audit_log bypass this and would break the chain: do not write them.
 */
export const AUDIT_GENESIS = '0'.repeat(64);

/** pg_advisory_xact_lock key of the chain (7_303_001 report runs, 7_303_002 outbox claims). */
export const AUDIT_CHAIN_LOCK = 7_303_003;

/** The hashed fields of an entry. */
export type AuditContent = Pick<
  AuditLog,
  'at' | 'actorId' | 'actorEmail' | 'action' | 'entity' | 'entityId' | 'changes'
>;

/** JSON with object keys sorted at every depth and no white space; values as JSON.stringify sees them. */
export function canonicalJson(value: unknown): string {
  return serialise(JSON.parse(JSON.stringify(value ?? null)) as unknown);
}

function serialise(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(serialise).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${serialise(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The exact text that is hashed. */
export function auditCanonical(e: AuditContent, prevHash: string): string {
  return canonicalJson({
    action: e.action,
    actorEmail: e.actorEmail ?? null,
    actorId: e.actorId ?? null,
    at: new Date(e.at).toISOString(),
    changes: e.changes ?? null,
    entity: e.entity,
    entityId: e.entityId ?? null,
    prevHash,
  });
}

export function auditHash(e: AuditContent, prevHash: string): string {
  return createHash('sha256').update(auditCanonical(e, prevHash), 'utf8').digest('hex');
}

function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name.startsWith('PostgreSql');
}

type Row = Record<string, unknown>;

/**
 * Up to `limit` entries after id `afterId` in id order, hydrated like the entity (dates, JSON), read
 * through a throw-away fork (nothing stays in an identity map). `unchainedOnly`: only rows without a hash.
 */
export async function readAuditBatch(
  em: EntityManager,
  afterId: number,
  limit: number,
  ctx?: Transaction,
  unchainedOnly = false,
): Promise<AuditLog[]> {
  const rows = await em
    .getConnection('write')
    .execute<Row[]>(
      `select * from "audit_log" where "id" > ?${unchainedOnly ? ' and "hash" is null' : ''} order by "id" limit ?`,
      [afterId, limit],
      'all',
      ctx,
    );
  const fork = em.fork({ clear: true, useContext: false });
  return rows.map((r: Row) => fork.map(AuditLog, r));
}

/**
 * Chains the entries that have no hash yet (rows written before the chain existed), in id order,
 * after the last chained one. The caller holds the chain lock in transaction `ctx`. Returns the new tip.
 */
async function chainUnchained(em: EntityManager, ctx: Transaction | undefined): Promise<string> {
  const conn = em.getConnection('write');
  const [tip] = await conn.execute<{ hash: string }[]>(
    `select "hash" from "audit_log" where "hash" is not null order by "id" desc limit 1`,
    [],
    'all',
    ctx,
  );
  let prev = tip?.hash ?? AUDIT_GENESIS;
  let after = 0;
  for (;;) {
    const batch = await readAuditBatch(em, after, 500, ctx, true);
    if (!batch.length) return prev;
    for (const e of batch) {
      const hash = auditHash(e, prev);
      await conn.execute(
        `update "audit_log" set "prev_hash" = ?, "hash" = ? where "id" = ?`,
        [prev, hash, e.id],
        'run',
        ctx,
      );
      prev = hash;
      after = e.id;
    }
  }
}

/** Takes the chain lock in `ctx` (PostgreSQL) and returns the hash the next entry links to. */
async function lockedTip(em: EntityManager, ctx: Transaction | undefined): Promise<string> {
  const conn = em.getConnection('write');
  if (isPostgres(em)) {
    if (!ctx) throw new Error('audit_log rows must be inserted inside a transaction');
    await conn.execute(`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`, [], 'all', ctx);
  }
  const [last] = await conn.execute<{ hash: string | null }[]>(
    `select "hash" from "audit_log" order by "id" desc limit 1`,
    [],
    'all',
    ctx,
  );
  if (!last) return AUDIT_GENESIS;
  return last.hash ?? chainUnchained(em, ctx);
}

/**
 * Chains entries left without a hash (an installation upgraded to the chained log); run at start-up
 * after the migrations. Cheap when there are none.
 */
export async function chainExistingAuditLog(em: EntityManager): Promise<number> {
  const [open] = await em
    .getConnection()
    .execute<Row[]>(`select "id" from "audit_log" where "hash" is null limit 1`);
  if (!open) return 0;
  return em.fork().transactional(async (tx) => {
    const ctx = tx.getTransactionContext();
    const conn = tx.getConnection('write');
    if (isPostgres(tx))
      await conn.execute(`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`, [], 'all', ctx);
    const [{ n }] = await conn.execute<{ n: number | string }[]>(
      `select count(*) as "n" from "audit_log" where "hash" is null`,
      [],
      'all',
      ctx,
    );
    await chainUnchained(tx, ctx);
    return Number(n);
  });
}

/**
 * Sets prevHash and hash of every AuditLog as it is inserted. Several entries in one flush are inserted
 * in one statement, in the order of their hooks: the first takes the lock and reads the tip, the others
 * link to the one before (kept per unit of work, forgotten when the next flush starts).
 */
export class AuditChainSubscriber implements EventSubscriber<AuditLog> {
  private readonly tips = new WeakMap<object, string>();

  getSubscribedEntities() {
    return [AuditLog];
  }

  onFlush(args: FlushEventArgs): void {
    this.tips.delete(args.uow);
  }

  async beforeCreate(args: EventArgs<AuditLog>): Promise<void> {
    const { entity, em } = args;
    const uow = em.getUnitOfWork(false);
    const prev = this.tips.get(uow) ?? (await lockedTip(em, em.getTransactionContext()));
    entity.prevHash = prev;
    entity.hash = auditHash(entity, prev);
    this.tips.set(uow, entity.hash);
  }
}
