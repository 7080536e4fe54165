import { CalendarDate } from './calendar-date.type';
import {
  Collection,
  Entity,
  Index,
  ManyToOne,
  OneToMany,
  type Opt,
  Property,
  type Rel,
} from '@mikro-orm/core';
import type { ActivityStatus } from '@app/compliance';
import { BaseEntity } from './base.entity';
import { Unit } from './unit.entity';
import { User } from './user.entity';
import { EvidenceFile } from './evidence-file.entity';

/**
 * Category-specific columns of an activity. Rule sets may filter on them (`qualifies[].field`) or count
 * them distinct (`distinctBy`); forms, exports and the SQL counts all read this one list.
 */
export const ACTIVITY_CATEGORY_FIELDS = [
  'location',
  'participants',
  'standardLevel',
  'standardKind',
  'standardNumber',
  'journal',
  'journalLevel',
  'issn',
  'authors',
  'personName',
  'personKey',
  'certificate',
  'recipient',
  'outlet',
  'outletLevel',
  'url',
] as const;

/** Category columns holding whole numbers (the others hold text). */
export const ACTIVITY_INTEGER_FIELDS: readonly string[] = ['participants'];

/**
 * One logged deliverable. Category-specific fields are plain nullable columns so qualification filters
 * (e.g. journalLevel = national) and distinct-person counts run as grouped SQL.
 */
@Entity({ tableName: 'activities' })
@Index({ properties: ['unit', 'requirement', 'status', 'date'] })
@Index({ properties: ['status', 'submittedAt'] })
// Event notices read what was verified or rejected in an hour or a day (NoticesService).
@Index({ properties: ['status', 'reviewedAt'] })
// The digest workbook reads a unit's activities by date (ReportQueries.activityPages).
@Index({ properties: ['unit', 'date', 'id'] })
export class Activity extends BaseEntity {
  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  @Property({ type: 'string', length: 40 })
  requirement!: string;

  /** ISO date in Asia/Shanghai. */
  @Property({ type: CalendarDate })
  date!: string;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'string', length: 20 })
  status: Opt<ActivityStatus> = 'draft';

  @Property({ type: 'string', length: 1000, nullable: true })
  rejectReason?: string | null;

  @Property({ type: 'datetime', nullable: true })
  submittedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  reviewedAt?: Date | null;

  @ManyToOne(() => User, { nullable: true })
  reviewedBy?: Rel<User> | null;

  @ManyToOne(() => User, { nullable: true })
  createdBy?: Rel<User> | null;

  @ManyToOne(() => User, { nullable: true })
  updatedBy?: Rel<User> | null;

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;

  // exchange_events
  @Property({ type: 'string', length: 200, nullable: true })
  location?: string | null;

  @Property({ type: 'integer', nullable: true })
  participants?: number | null;

  // standard_proposals
  @Property({ type: 'string', length: 20, nullable: true })
  standardLevel?: string | null;

  @Property({ type: 'string', length: 30, nullable: true })
  standardKind?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  standardNumber?: string | null;

  // national_papers
  @Property({ type: 'string', length: 200, nullable: true })
  journal?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  journalLevel?: string | null;

  @Property({ type: 'string', length: 50, nullable: true })
  issn?: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  authors?: string | null;

  // trained_personnel
  @Property({ type: 'string', length: 100, nullable: true })
  personName?: string | null;

  /** Identity key (certificate or ID number) so one person counts once per period. */
  @Property({ type: 'string', length: 100, nullable: true })
  personKey?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  certificate?: string | null;

  // work_updates
  @Property({ type: 'string', length: 200, nullable: true })
  recipient?: string | null;

  // media_reports
  @Property({ type: 'string', length: 200, nullable: true })
  outlet?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  outletLevel?: string | null;

  @Property({ type: 'string', length: 1000, nullable: true })
  url?: string | null;

  @OneToMany(() => EvidenceFile, (f) => f.activity)
  evidence = new Collection<EvidenceFile>(this);
}
