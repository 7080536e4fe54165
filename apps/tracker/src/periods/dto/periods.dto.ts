import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PROVINCE_CODES, type ProvinceCode } from '@app/compliance';
import { trim } from '../../common/validators';

export class UnitPeriodParams {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  id: number;

  /** The period's first day (YYYY-MM-DD) or the year it starts in (YYYY). */
  @IsString()
  @Matches(/^\d{4}(-\d{2}-\d{2})?$/, { message: 'period must be YYYY-MM-DD or YYYY' })
  period: string;
}

export class ReopenPeriodDto {
  /** Why the period is reopened (audited). */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class BulkCloseDto {
  @IsIn(PROVINCE_CODES)
  province: ProvinceCode;

  /** Only list what would be closed. */
  @IsOptional()
  @IsIn([true, false])
  dryRun?: boolean;
}

export class CloseGraceInputDto {
  /** Days after a period's end before it may be closed, 0–366; null returns to the default (31). */
  @ValidateIf((_: object, v: unknown) => v !== null)
  @IsInt()
  @Min(0)
  @Max(366)
  days: number | null;
}

export class CloseGraceDto {
  program: string;
  days: number;
  /** True when an administrator set `days`. */
  overridden: boolean;
}

export class UnitPeriodDto {
  start: string;
  end: string;
  /** First day the period may be closed (its last day + grace days + 1). */
  closableFrom: string;
  closable: boolean;
  closed: boolean;
  closedAt: string | null;
  /** E-mail of who closed it (null from the CLI). */
  closedBy: string | null;
  reopenedAt: string | null;
  reopenedBy: string | null;
  reopenReason: string | null;
}

export class UnitPeriodsDto {
  unitId: number;
  graceDays: number;
  periods: UnitPeriodDto[];
}

export class BulkClosedPeriodDto {
  unitId: number;
  unitName: string;
  periodStart: string;
  periodEnd: string;
}

export class BulkCloseResultDto {
  province: string;
  dryRun: boolean;
  closed: BulkClosedPeriodDto[];
  alreadyClosed: number;
  units: number;
}
