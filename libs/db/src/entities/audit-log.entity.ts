import { Entity, Index, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/** Append-only record of every change, login and e-mail send. */
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
}
