import { Entity, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An administrator's setting for one program that overrides its rule-set files (which only change with a
 * release): the days before a period ends that reminders go out, and the grace days after a period ends
 * before it may be closed. Shared by every instance.
 */
@Entity({ tableName: 'program_settings' })
export class ProgramSetting {
  @PrimaryKey({ type: 'string', length: 100 })
  program!: string;

  /** Largest first; [] sends no reminders; null: the rule set's days. */
  @Property({ type: 'json', nullable: true })
  reminderDays?: number[] | null;

  /** Days after a period's end before it may be closed (late reviews); null: the default (31). */
  @Property({ type: 'integer', nullable: true })
  closeGraceDays?: number | null;

  @Property({ type: 'datetime' })
  updatedAt: Opt<Date> = new Date();
}
