import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OUTBOX_STATUSES, type OutboxStatus } from '@app/db';
import { LOCALES, type Locale } from '@app/reporting';
import { DIGEST_CHART_IMAGES, UNIT_CHART_IMAGES } from '@app/reporting/mail';
import { PageQuery } from '../../common/pagination';
import { SUPERVISOR_DIGEST, UNIT_REPORT } from '../report-mails.service';

const PERIOD = /^20\d\d-(0[1-9]|1[0-2])$/;
const PERIOD_MESSAGE = 'period must be a month YYYY-MM';
const MAX_ID = 2_147_483_647;

export class IdParam {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  id: number;
}

export class UnitChartParam extends IdParam {
  @IsIn(Object.keys(UNIT_CHART_IMAGES))
  chart: keyof typeof UNIT_CHART_IMAGES;
}

export class DigestChartParam {
  @IsIn(Object.keys(DIGEST_CHART_IMAGES))
  chart: keyof typeof DIGEST_CHART_IMAGES;
}

export class PreviewQueryDto {
  /** Report month; default the current one. */
  @IsOptional()
  @IsString()
  @MaxLength(7)
  @Matches(PERIOD, { message: PERIOD_MESSAGE })
  period?: string;

  /** Default: the caller's language. */
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}

export class DigestQueryDto extends PreviewQueryDto {
  /** Admins: the supervisor whose digest to show (default: all provinces). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId?: number;
}

export class RunReportsDto {
  @IsString()
  @MaxLength(7)
  @Matches(PERIOD, { message: PERIOD_MESSAGE })
  period: string;
}

export class OutboxQueryDto extends PageQuery {
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;

  @IsOptional()
  @IsIn([UNIT_REPORT, SUPERVISOR_DIGEST])
  kind?: string;

  @IsOptional()
  @IsString()
  @MaxLength(7)
  @Matches(PERIOD, { message: PERIOD_MESSAGE })
  period?: string;

  /** Part of the address. */
  @IsOptional()
  @IsString()
  @MaxLength(254)
  recipient?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;
}
