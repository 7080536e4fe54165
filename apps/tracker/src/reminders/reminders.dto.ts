import { ArrayMaxSize, ArrayUnique, IsArray, IsInt, Max, Min, ValidateIf } from 'class-validator';

/** The reminder days of a program: the administrator's override if set, else the latest rule set's. */
export class ProgramRemindersDto {
  program: string;
  /** Days before a period's last day, largest first. */
  days: number[];
  /** The latest rule set's days (what applies without an override). */
  defaultDays: number[];
  /** True when an administrator set `days`. */
  overridden: boolean;
}

export class ProgramRemindersInputDto {
  /** At most 5 distinct whole days from 1 to 365 ([] sends no reminders); null returns to the rule set's days. */
  @ValidateIf((_: object, v: unknown) => v !== null)
  @IsArray()
  @ArrayMaxSize(5)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(365, { each: true })
  days: number[] | null;
}
