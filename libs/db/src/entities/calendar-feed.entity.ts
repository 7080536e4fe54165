import { Entity, ManyToOne, type Opt, PrimaryKey, Property, type Rel, Unique } from '@mikro-orm/core';
import { User } from './user.entity';

/**
 * A user's private calendar URL. Only the SHA-256 of its token is stored, like sessions; one per user
 * (a new link replaces the old one).
 */
@Entity({ tableName: 'calendar_feeds' })
export class CalendarFeed {
  @PrimaryKey({ type: 'string', length: 64 })
  tokenHash!: string;

  @Unique()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();
}
