import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LOCALES, type Locale } from '@app/reporting/i18n';
import { PROVINCE_CODES, type ProvinceCode, type RequirementStatus } from '@app/compliance';
import {
  PeriodDto,
  ScopeRequirementCellDto,
  ScopeRequirementDto,
  UnitSummaryDto,
} from '../../compliance/dto/compliance-view.dto';

export class ProvinceYearQuery {
  @IsIn(PROVINCE_CODES)
  province: ProvinceCode;

  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  /** json (default) or xlsx. */
  @IsOptional()
  @IsIn(['json', 'xlsx'])
  format?: 'json' | 'xlsx';

  /** Language of the workbook's headers (default zh). */
  @IsOptional()
  @IsIn(LOCALES)
  lang?: Locale;
}

/** Registered with the document (openapi.ts): referenced only from maps. */
export class YearCellDto extends ScopeRequirementCellDto {
  /** Rejected activities of the requirement dated in the period. */
  rejected: number;
}

export class YearUnitRowDto {
  unit: UnitSummaryDto;
  period: PeriodDto;
  overall: RequirementStatus;
  /** True when the period is closed (frozen figures). */
  closed: boolean;
  /** Requirement keys not met. */
  shortfalls: string[];
  /** Per requirement key. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath('YearCellDto') } })
  requirements: Record<string, YearCellDto>;
}

export class YearCohortDto {
  /** Year the cycle started. */
  cohort: number;
  units: YearUnitRowDto[];
}

export class ProvinceYearViewDto {
  province: string;
  year: number;
  at: string;
  today: string;
  requirements: ScopeRequirementDto[];
  cohorts: YearCohortDto[];
  units: number;
}
