import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One failed sign-in (or one still being checked), kept in the database so every instance counts the
 * same attempts. Counted per account and per client address within the throttle window; older rows are
 * deleted as new ones are written.
 */
@Entity({ tableName: 'login_failures' })
@Index({ properties: ['email', 'at'] })
@Index({ properties: ['ip', 'at'] })
@Index({ properties: ['at'] })
export class LoginFailure {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  /** The e-mail as typed, trimmed and lower-cased (also for addresses with no account). */
  @Property({ type: 'string', length: 254 })
  email!: string;

  /** The client address as Express sees it (see TRUST_PROXY). */
  @Property({ type: 'string', length: 64 })
  ip!: string;

  @Property({ type: 'datetime' })
  at!: Date;
}
