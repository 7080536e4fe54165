import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Rel, Unique } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';
import { Activity } from './activity.entity';
import { CalendarDate } from './calendar-date.type';
import { Unit } from './unit.entity';
import { User } from './user.entity';

/** What two activities may both claim (see IntegrityService): the same evidence file, URL, paper, … */
export const CLAIM_REASONS = ['evidence', 'url', 'paper', 'standard', 'person', 'event'] as const;
export type ClaimReason = (typeof CLAIM_REASONS)[number];

export const MATCH_STATUSES = ['open', 'explained'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

/**
 * Read model (kept on write): what an activity claims, one row per thing, so "who else claims this" is an
 * index lookup on (reason, key). `key` is the SHA-256 (hex) of the normalised value (the evidence file's
 * own SHA-256 for evidence), so identity keys and URLs are not stored twice in clear.
 */
@Entity({ tableName: 'claim_fingerprints' })
@Index({ properties: ['reason', 'key'] })
@Index({ properties: ['activity'] })
export class ClaimFingerprint {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Activity, { deleteRule: 'cascade' })
  activity!: Rel<Activity>;

  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  @Property({ type: 'string', length: 20 })
  reason!: ClaimReason;

  @Property({ type: 'string', length: 64 })
  key!: string;

  /** Events: the normalised title, compared by similarity among the same date's events. */
  @Property({ type: 'string', length: 200, nullable: true })
  title?: string | null;

  /** Persons: the unit's period containing the activity (a person may be trained again another year). */
  @Property({ type: CalendarDate, nullable: true })
  periodStart?: string | null;

  @Property({ type: CalendarDate, nullable: true })
  periodEnd?: string | null;
}

/**
 * Two activities claiming the same thing, found when one of them was submitted. Stored once per pair and
 * reason (`activity` the lower id), so a match a reviewer explained stays explained when either side is
 * resubmitted.
 */
@Entity({ tableName: 'claim_matches' })
@Unique({ properties: ['activity', 'matchedActivity', 'reason'] })
@Index({ properties: ['matchedActivity'] })
@Index({ properties: ['status'] })
export class ClaimMatch extends BaseEntity {
  @Property({ type: 'string', length: 20 })
  reason!: ClaimReason;

  @ManyToOne(() => Activity)
  activity!: Rel<Activity>;

  @ManyToOne(() => Activity)
  matchedActivity!: Rel<Activity>;

  @Property({ type: 'string', length: 20 })
  status: Opt<MatchStatus> = 'open';

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @ManyToOne(() => User, { nullable: true })
  explainedBy?: Rel<User> | null;

  @Property({ type: 'datetime', nullable: true })
  explainedAt?: Date | null;
}
