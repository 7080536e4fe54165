import { CalendarDate } from './calendar-date.type';
import { Entity, Index, type Opt, Property } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';

export type ReportRunTrigger = 'schedule' | 'catch_up' | 'manual' | 'cli';

/**
 * One execution of the monthly report job: which period, why, and how many mails it queued. The
 * latest scheduled run is how a restarted instance knows whether it missed a tick.
 */
@Entity({ tableName: 'report_runs' })
@Index({ properties: ['period', 'trigger'] })
export class ReportRun extends BaseEntity {
  /** 'YYYY-MM' */
  @Property({ type: 'string', length: 7 })
  period!: string;

  @Property({ type: 'string', length: 20 })
  trigger!: ReportRunTrigger;

  /** For scheduled and caught-up runs: the cron tick this run stands for. */
  @Property({ type: 'datetime', nullable: true })
  scheduledFor?: Date | null;

  /** The date the reports' numbers are computed for. */
  @Property({ type: CalendarDate })
  asOf!: string;

  @Property({ type: 'integer' })
  queued: Opt<number> = 0;

  /** Recipients that already had a mail for the period. */
  @Property({ type: 'integer' })
  skipped: Opt<number> = 0;

  @Property({ type: 'integer', nullable: true })
  actorId?: number | null;

  /** host:pid of the instance that ran it. */
  @Property({ type: 'string', length: 200 })
  instance!: string;
}
