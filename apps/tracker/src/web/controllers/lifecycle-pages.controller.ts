import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Access, Allow, CurrentUser, type Principal, ScopePolicy } from '@app/auth';
import { PROVINCE_CODES, PROVINCES, type ProvinceCode } from '@app/compliance';
import { InvalidInputError } from '@app/common';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { Clock } from '../../common/clock';
import { BulkCloseDto, ReopenPeriodDto, UnitPeriodParams } from '../../periods/dto/periods.dto';
import { PeriodsService } from '../../periods/periods.service';
import { ProvinceYearService } from '../../reports/province-year.service';
import { UnitStatusChangeDto } from '../../units/dto/unit-status.dto';
import { UnitStatusService } from '../../units/unit-status.service';
import { validateForm } from '../form-validation';
import { PageQueryBase } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/** The year report page: province and year optional (the caller's first province, last year). */
export class ProvinceYearPageQuery extends PageQueryBase {
  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: ProvinceCode;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  /** Periods just closed by the bulk close (the page says so). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  closed?: number;
}

/**
 * Year-end and lifecycle pages: a unit's status step and its periods' close / reopen (forms on the unit
 * page), and the province year report (printable, with the bulk close). The same services as the API;
 * a refusal is the error page with its zh/en message and status.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller()
export class LifecyclePagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly status: UnitStatusService,
    private readonly periods: PeriodsService,
    private readonly years: ProvinceYearService,
    private readonly clock: Clock,
  ) {}

  @Allow('units:setStatus')
  @Post('units/:id/status')
  async setStatus(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const { _csrf: _, ...form } = plainBody(body);
    const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined);
    const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
    const dto = checked(
      UnitStatusChangeDto,
      {
        status: form.status,
        date: form.date,
        reason: form.reason,
        score: num(form.score),
        conclusion: text(form.conclusion),
        evaluator: text(form.evaluator),
      },
      req,
    );
    await this.status.change(p, id, dto);
    res.redirect(303, `/units/${id}?done=statusChanged#lifecycle`);
  }

  @Allow('periods:close')
  @Post('units/:id/periods/:period/close')
  async close(@CurrentUser() p: Principal, @Param() { id, period }: UnitPeriodParams, @Res() res: Response) {
    const closed = await this.periods.close(p, id, period);
    res.redirect(303, `/units/${id}?at=${closed.start}&done=periodClosed#periods`);
  }

  @Allow('periods:reopen')
  @Post('units/:id/periods/:period/reopen')
  async reopen(
    @CurrentUser() p: Principal,
    @Param() { id, period }: UnitPeriodParams,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const dto = checked(ReopenPeriodDto, { reason: plainBody(body).reason }, req);
    const open = await this.periods.reopen(p, id, period, dto.reason);
    res.redirect(303, `/units/${id}?at=${open.start}&done=periodReopened#periods`);
  }

  /** The province year report, laid out for paper; with the bulk close for those who may close. */
  @Allow('reports:provinceYear')
  @Get('reports/province-year')
  async yearReport(
    @CurrentUser() p: Principal,
    @Query() q: ProvinceYearPageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const scope = ScopePolicy.provinces(p);
    const provinces = PROVINCES.filter((x) => scope === null || scope.includes(x.code)).map((x) => x.code);
    const province = q.province ?? provinces[0] ?? '--';
    const year = q.year ?? Number(this.clock.today().slice(0, 4)) - 1;
    const view = await this.years.view(p, province, year);
    this.views.page(req, res, 'province-year.njk', {
      view,
      provinces,
      canClose: Access.can(p, 'periods:close'),
      closedCount: q.closed,
    });
  }

  @Allow('periods:close')
  @Post('reports/province-year/close')
  async closeProvince(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const form = plainBody(body);
    const dto = checked(BulkCloseDto, { province: form.province }, req);
    const result = await this.periods.closeProvince(p, dto.province);
    const year = typeof form.year === 'string' && /^\d{4}$/.test(form.year) ? form.year : '';
    res.redirect(
      303,
      `/reports/province-year?province=${dto.province}&year=${year}&closed=${result.closed.length}`,
    );
  }
}

function plainBody(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The form checked against the API's DTO; the first refusal is a 400 naming its field. */
function checked<T extends object>(cls: new () => T, plain: Record<string, unknown>, req: PageRequest): T {
  const defined = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined));
  const { dto, errors } = validateForm(cls, defined, requestLocale(req));
  if (dto) return dto;
  const [field, message] = Object.entries(errors)[0];
  throw new InvalidInputError(field, 'form', message, message);
}
