import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type Principal } from '@app/auth';
import { REQUIREMENT_KINDS, ACTIVITY_STATUSES } from '@app/compliance';
import { ActivitiesService } from '../../activities/activities.service';
import { ActivityQuery } from '../../activities/dto/activity.dto';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { ComplianceService } from '../../compliance/compliance.service';
import { UnitsService } from '../../units/units.service';
import { ExportsService } from '../exports/exports.service';
import { pageCount, UnitPageQuery } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { shortfalls, unitCharts } from '../present';
import { ViewsService } from '../views.service';

const PAGE_SIZE = 50;

/** A unit's page: its standing this period, charts, shortfalls in words, and its activities. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('units')
export class UnitPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly units: UnitsService,
    private readonly compliance: ComplianceService,
    private readonly activities: ActivitiesService,
    private readonly exports: ExportsService,
  ) {}

  @Get(':id')
  async show(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: UnitPageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const data = await this.load(p, id, q, req);
    const list = await this.activities.list(p, activityQuery(id, q, q.page ?? 1, PAGE_SIZE));
    this.views.page(req, res, 'unit.njk', {
      ...data,
      list,
      filters: q,
      requirementKinds: REQUIREMENT_KINDS,
      activityStatuses: ACTIVITY_STATUSES,
      pages: pageCount(list.total, PAGE_SIZE),
      exportQuery: exportQuery(q),
      flash: this.views.flash(req, q.done),
    });
  }

  /** The same page laid out for paper: every activity of the period, no navigation. */
  @Get(':id/print')
  async print(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: UnitPageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const data = await this.load(p, id, q, req);
    const items = await this.exports.allActivities(p, {
      ...activityQuery(id, {}, 1, 500),
      from: data.compliance.period.start,
      to: data.compliance.period.end,
    });
    this.views.page(req, res, 'unit-print.njk', { ...data, items, printedAt: new Date() });
  }

  @Get(':id/activities.xlsx')
  async xlsx(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: UnitPageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    await this.exports.unitActivities(p, id, activityQuery(id, q, 1, 500), requestLocale(req), 'xlsx', res);
  }

  @Get(':id/activities.csv')
  async csv(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: UnitPageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    await this.exports.unitActivities(p, id, activityQuery(id, q, 1, 500), requestLocale(req), 'csv', res);
  }

  private async load(p: Principal, id: number, q: UnitPageQuery, req: PageRequest) {
    // Both calls apply the caller's scope: another province's unit is a 404 here.
    const unit = await this.units.get(p, id);
    const compliance = await this.compliance.forUnitOf(p, id, q.at);
    const locale = requestLocale(req);
    const ctx = this.views.context(req, locale);
    return {
      t: ctx.t,
      unit,
      compliance,
      shortfalls: shortfalls(compliance, locale),
      charts: unitCharts(compliance, locale),
      canRecord: p.role === 'admin' || (p.role === 'unit' && p.unitId === id),
    };
  }
}

function activityQuery(
  unitId: number,
  q: Pick<UnitPageQuery, 'requirement' | 'status' | 'q'>,
  page: number,
  pageSize: number,
): ActivityQuery {
  return Object.assign(new ActivityQuery(), {
    unitId,
    requirement: q.requirement,
    status: q.status,
    q: q.q?.trim() || undefined,
    page,
    pageSize,
  });
}

function exportQuery(q: UnitPageQuery): string {
  const params = new URLSearchParams();
  for (const key of ['requirement', 'status', 'q'] as const) if (q[key]) params.set(key, String(q[key]));
  const s = params.toString();
  return s ? `?${s}` : '';
}
