import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { AUDIT_GENESIS, auditHash, AuditVerification, readAuditBatch } from '@app/db';

/** Entries read per query while walking the chain: memory stays bounded whatever the log's size. */
const BATCH = 1000;

export type VerificationSource = 'cli' | 'cron' | 'admin';

/** Why an entry breaks the chain (stored in audit_verifications.problem). */
export type ChainProblem = 'changed' | 'link' | 'unchained' | 'missing';

/**
 * Checks the audit log's hash chain (libs/db/src/audit-chain.ts) and records each check in
 * audit_verifications; the audit page shows the last one.
 */
@Injectable()
export class AuditVerifyService {
  constructor(private readonly orm: MikroORM) {}

  /**
   * Walks every entry in id order, in batches: each must link to the hash of the one before
   * (else `link`: an entry before it was deleted or inserted) and its own hash must match its content
   * (else `changed`). The last entry of the previous intact check must still be there with the same hash
   * (else `missing` / `changed`), so removing the newest entries is found too. Stops at the first broken
   * entry. Entries appended while it runs are checked as well: they are committed in id order.
   */
  async verify(source: VerificationSource, progress?: (checked: number) => void): Promise<AuditVerification> {
    const started = Date.now();
    const em = this.orm.em.fork();
    const anchor = await em.findOne(
      AuditVerification,
      { ok: true, lastId: { $ne: null } },
      { orderBy: { id: 'desc' } },
    );
    let prev = AUDIT_GENESIS;
    let lastId: number | null = null;
    let checked = 0;
    let broken: { id: number; problem: ChainProblem } | null = null;
    let anchorSeen = !anchor;
    walk: for (;;) {
      const batch = await readAuditBatch(em, lastId ?? 0, BATCH);
      if (!batch.length) break;
      for (const e of batch) {
        if (!e.hash) broken = { id: e.id, problem: 'unchained' };
        else if (e.prevHash !== prev) broken = { id: e.id, problem: 'link' };
        else if (auditHash(e, prev) !== e.hash) broken = { id: e.id, problem: 'changed' };
        else if (anchor && e.id === anchor.lastId) {
          if (e.hash !== anchor.lastHash) broken = { id: e.id, problem: 'changed' };
          else anchorSeen = true;
        }
        if (broken) break walk;
        prev = e.hash!;
        lastId = e.id;
        checked++;
      }
      progress?.(checked);
    }
    if (!broken && !anchorSeen) broken = { id: anchor!.lastId!, problem: 'missing' };
    const record = em.create(AuditVerification, {
      at: new Date(),
      source,
      ok: !broken,
      checked,
      firstBrokenId: broken?.id ?? null,
      problem: broken?.problem ?? null,
      lastId: broken ? null : lastId,
      lastHash: broken || lastId == null ? null : prev,
      durationMs: Date.now() - started,
    });
    await em.persist(record).flush();
    return record;
  }

  /** The most recent check, or null if the chain was never checked. */
  latest(): Promise<AuditVerification | null> {
    return this.orm.em.fork().findOne(AuditVerification, { id: { $gt: 0 } }, { orderBy: { id: 'desc' } });
  }
}
