import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import {
  type IsoDate,
  PROVINCE_CODES,
  REQUIREMENT_STATUSES,
  type RequirementStatus,
  UNIT_STATUSES,
  type UnitStatus,
} from '@app/compliance';
import { PageQuery } from '../../common/pagination';
import { IsCalendarDate } from '../../common/validators';

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
