import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { User } from './user.entity';

/**
 * A login session or API token. Kept in the database (never in process memory) so any instance can
 * serve it; only the SHA-256 of the token is stored.
 */
@Entity({ tableName: 'sessions' })
@Index({ properties: ['expiresAt'] })
export class Session {
  @PrimaryKey({ type: 'string', length: 64 })
  tokenHash!: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  /** Per-session secret for the CSRF token of cookie sessions. */
  @Property({ type: 'string', length: 64 })
  csrfSecret!: string;

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
