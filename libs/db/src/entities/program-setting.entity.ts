import { Entity, type Opt, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An administrator's setting for one program that overrides its rule-set files (which only change with a
 * release): the days before a period ends that reminders go out. Shared by every instance.
 */
@Entity({ tableName: 'program_settings' })
export class ProgramSetting {
  @PrimaryKey({ type: 'string', length: 100 })
  program!: string;

  /** Largest first; [] sends no reminders. */
  @Property({ type: 'json' })
  reminderDays!: number[];

  @Property({ type: 'datetime' })
  updatedAt: Opt<Date> = new Date();
}
