import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import {
  type IsoDate,
  isIsoDate,
  PROVINCE_CODES,
  REQUIREMENT_STATUSES,
  type RequirementStatus,
  UNIT_STATUSES,
  type UnitStatus,
} from '@app/compliance';
import { PageQuery } from '../../common/pagination';

/** A real calendar date 'YYYY-MM-DD' (2026-02-30 is refused). */
export function IsCalendarDate() {
  return ValidateBy({
    name: 'isISO8601',
    validator: {
      validate: (value) => isIsoDate(value),
      defaultMessage: (args) => `${args?.property} must be a calendar date YYYY-MM-DD`,
    },
  });
}

const YEAR_MIN = 1990;
const YEAR_MAX = 2100;

export class UnitIdParam {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  id: number;
}

export class UnitComplianceQuery {
  /** Picks the period (default today). */
  @IsOptional()
  @IsCalendarDate()
  at?: IsoDate;
}

export class ScopeComplianceQuery extends PageQuery {
  @IsOptional()
  @IsCalendarDate()
  at?: IsoDate;

  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  industry?: string;

  /** Overall status of the unit. */
  @IsOptional()
  @IsIn(REQUIREMENT_STATUSES)
  status?: RequirementStatus;

  /** Year the construction cycle started. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(YEAR_MIN)
  @Max(YEAR_MAX)
  cohort?: number;

  /** The unit record's lifecycle status. */
  @IsOptional()
  @IsIn(UNIT_STATUSES)
  unitStatus?: UnitStatus;
}

export class TrendQuery {
  /** Calendar year (default the current year). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(YEAR_MIN)
  @Max(YEAR_MAX)
  year?: number;

  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  industry?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(YEAR_MIN)
  @Max(YEAR_MAX)
  cohort?: number;
}
