import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { User } from './user.entity';

/**
 * A password reset link sent by e-mail. Only the SHA-256 of its token is stored; it works once
 * (`usedAt`), until `expiresAt`. The rows of the last hour also count the requests per account and per
 * client address (the reset throttle).
 */
@Entity({ tableName: 'password_resets' })
@Index({ properties: ['user', 'createdAt'] })
@Index({ properties: ['ip', 'createdAt'] })
export class PasswordReset {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  /** The client address that asked for it (see TRUST_PROXY). */
  @Property({ type: 'string', length: 64 })
  ip!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  /** Set when the link set a password, or when a later change of the password made it void. */
  @Property({ type: 'datetime', nullable: true })
  usedAt: Opt<Date> | null = null;
}
