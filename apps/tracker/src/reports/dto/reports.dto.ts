import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OUTBOX_STATUSES, type OutboxStatus } from '@app/db';
import { LOCALES, type Locale } from '@app/reporting';
import { DIGEST_CHART_IMAGES, UNIT_CHART_IMAGES } from '@app/reporting/mail';
import { PageQuery } from '../../common/pagination';
import { NOTICE_KINDS } from '../../notices/notice-kinds';
import { SUPERVISOR_DIGEST, UNIT_REPORT } from '../report-mails.service';
import { REMINDER } from '../../reminders/reminder-dates';
import { MAX_ID } from '../../common/validators';

const PERIOD = /^20\d\d-(0[1-9]|1[0-2])$/;
const PERIOD_MESSAGE = 'period must be a month YYYY-MM';

/*
 * Composed rules are listed in the order stacked decorators apply (the bottom one first), which is
 * the order a 400 answer names them in.
 */

/** A report month 'YYYY-MM'. */
function IsReportPeriod(): PropertyDecorator {
  return applyDecorators(Matches(PERIOD, { message: PERIOD_MESSAGE }), MaxLength(7), IsString());
}

/** A row id in a path or query: a positive 32-bit integer. */
function IsId(): PropertyDecorator {
  return applyDecorators(
    Max(MAX_ID),
    Min(1),
    IsInt(),
    Type(() => Number),
  );
}

export class IdParam {
  @IsId()
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
  @IsReportPeriod()
  period?: string;

  /** Default: the caller's language. */
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}

export class DigestQueryDto extends PreviewQueryDto {
  /** Admins: the supervisor whose digest to show (default: all provinces). */
  @IsOptional()
  @IsId()
  userId?: number;
}

export class RunReportsDto {
  @IsReportPeriod()
  period: string;
}

export class OutboxQueryDto extends PageQuery {
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;

  @IsOptional()
  @IsIn([UNIT_REPORT, SUPERVISOR_DIGEST, ...NOTICE_KINDS, REMINDER])
  kind?: string;

  @IsOptional()
  @IsReportPeriod()
  period?: string;

  /** Part of the address. */
  @IsOptional()
  @IsString()
  @MaxLength(254)
  recipient?: string;

  @IsOptional()
  @IsId()
  unitId?: number;
}
