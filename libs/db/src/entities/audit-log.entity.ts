import { Entity, Index, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Append-only record of every change, login and e-mail send. The rows form one hash chain (see
 * audit-chain.ts): each carries the hash of the row before it and the hash of its own content, set
 * centrally when the row is inserted, never by the code that records it.
 */
@Entity({ tableName: 'audit_log' })
@Index({ properties: ['entity', 'entityId'] })
@Index({ properties: ['at'] })
export class AuditLog {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'datetime' })
  at: Opt<Date> = new Date();

  @Property({ type: 'integer', nullable: true })
  actorId?: number | null;

  @Property({ type: 'string', length: 254, nullable: true })
  actorEmail?: string | null;

  /** create, update, delete, submit, verify, reject, login, logout, login_failed, mail_sent, ... */
  @Property({ type: 'string', length: 40 })
  action!: string;

  @Property({ type: 'string', length: 40 })
  entity!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  entityId?: string | null;

  /** What changed: { field: [before, after] } or other details. Never secrets. */
  @Property({ type: 'json', nullable: true })
  changes?: Record<string, unknown> | null;

  /** Hash of the entry before this one (64 zeros for the first); unique, so the chain cannot fork. */
  @Property({ type: 'string', length: 64, nullable: true, unique: true })
  prevHash?: string | null;

  /** SHA-256 (hex) of this entry's canonical content and prevHash; null only until chained. */
  @Property({ type: 'string', length: 64, nullable: true })
  hash?: string | null;
}

/** One run of the audit chain check (audit:verify, the daily job or the audit page's button). */
@Entity({ tableName: 'audit_verifications' })
@Index({ properties: ['at'] })
export class AuditVerification {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'datetime' })
  at: Opt<Date> = new Date();

  /** cli, cron or admin */
  @Property({ type: 'string', length: 20 })
  source!: string;

  @Property({ type: 'boolean' })
  ok!: boolean;

  /** Entries checked (up to the first broken one). */
  @Property({ type: 'integer' })
  checked!: number;

  @Property({ type: 'integer', nullable: true })
  firstBrokenId?: number | null;

  /** changed (content or own hash), link (an entry before it removed or inserted), unchained, missing (the last verified entry is gone). */
  @Property({ type: 'string', length: 20, nullable: true })
  problem?: string | null;

  /** The chain's last entry when intact: the next run checks that it is still there, unchanged. */
  @Property({ type: 'integer', nullable: true })
  lastId?: number | null;

  @Property({ type: 'string', length: 64, nullable: true })
  lastHash?: string | null;

  @Property({ type: 'integer' })
  durationMs!: number;
}
