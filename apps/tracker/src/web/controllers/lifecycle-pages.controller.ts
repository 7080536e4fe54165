import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController, IntersectionType, PartialType, PickType } from '@nestjs/swagger';
import type { Response } from 'express';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Access, Allow, CurrentUser, type Principal } from '@app/auth';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { UnitPeriodParams } from '../../periods/dto/periods.dto';
import { PeriodsService } from '../../periods/periods.service';
import { ProvinceYearService } from '../../reports/province-year.service';
import { ProvinceYearQuery } from '../../reports/dto/province-year.dto';
import { UnitStatusService } from '../../units/unit-status.service';
import { PageQueryBase } from '../forms';
import { toBulkCloseDto, toReopenDto, toStatusChangeDto } from '../lifecycle-forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/** The year report page: the API's province and year, both optional (the caller's first province, last year). */
export class ProvinceYearPageQuery extends IntersectionType(
  PageQueryBase,
  PartialType(PickType(ProvinceYearQuery, ['province', 'year'] as const)),
) {
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
    const dto = toStatusChangeDto(body, requestLocale(req));
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
    const dto = toReopenDto(body, requestLocale(req));
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
    const { view, provinces } = await this.years.viewOrDefault(p, q.province, q.year);
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
    const { dto, year } = toBulkCloseDto(body, requestLocale(req));
    const result = await this.periods.closeProvince(p, dto.province);
    res.redirect(
      303,
      `/reports/province-year?province=${dto.province}&year=${year}&closed=${result.closed.length}`,
    );
  }
}
