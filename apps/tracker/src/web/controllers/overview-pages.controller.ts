import { Controller, Get, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser, type Principal, ScopePolicy } from '@app/auth';
import { PROVINCES, REQUIREMENT_STATUSES, UNIT_STATUSES } from '@app/compliance';
import { Clock } from '../../common/clock';
import { ComplianceService } from '../../compliance/compliance.service';
import { UnitsService } from '../../units/units.service';
import { ExportsService } from '../exports/exports.service';
import { OverviewQuery, pageCount } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { overviewRows, scopeCharts } from '../present';
import { ViewsService } from '../views.service';

const PAGE_SIZE = 50;

/** The supervisor's view of every unit in scope: unit × requirement, charts, exports. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Allow('compliance:overview')
@Controller()
export class OverviewPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly compliance: ComplianceService,
    private readonly exports: ExportsService,
    private readonly clock: Clock,
    private readonly units: UnitsService,
  ) {}

  @Get('overview')
  async overview(
    @CurrentUser() p: Principal,
    @Query() q: OverviewQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const page = q.page ?? 1;
    const view = await this.compliance.forScopeOf(p, { ...filterOf(q), page, pageSize: PAGE_SIZE });
    const year = Number((q.at ?? this.clock.today()).slice(0, 4));
    const trend = await this.compliance.trendOf(p, {
      year,
      province: q.province,
      industry: q.industry?.trim() || undefined,
      cohort: q.cohort,
    });
    const scope = ScopePolicy.provinces(p);
    this.views.page(req, res, 'overview.njk', {
      view,
      charts: scopeCharts(view, trend, locale),
      // SPEC §3 v2: per row the still-needed lines, per cell its tooltip.
      extra: overviewRows(view, locale),
      trend,
      filters: q,
      provinces: PROVINCES.filter((x) => scope === null || scope.includes(x.code)).map((x) => x.code),
      statuses: REQUIREMENT_STATUSES,
      unitStatuses: UNIT_STATUSES,
      yearReportYear: year - 1,
      statusRank: Object.fromEntries(REQUIREMENT_STATUSES.map((s, i) => [s, i])),
      // Every industry in scope (and province), not only those of this page's rows.
      industries: await this.units.industries(p, q.province),
      pages: pageCount(view.total, PAGE_SIZE),
      exportQuery: exportQuery(q),
    });
  }

  @Get('overview.xlsx')
  async xlsx(
    @CurrentUser() p: Principal,
    @Query() q: OverviewQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const view = await this.compliance.forScopeOf(p, filterOf(q));
    await this.exports.overview(view, requestLocale(req), 'xlsx', res);
  }

  @Get('overview.csv')
  async csv(
    @CurrentUser() p: Principal,
    @Query() q: OverviewQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const view = await this.compliance.forScopeOf(p, filterOf(q));
    await this.exports.overview(view, requestLocale(req), 'csv', res);
  }
}

function filterOf(q: OverviewQuery) {
  return {
    at: q.at,
    province: q.province,
    industry: q.industry?.trim() || undefined,
    status: q.status,
    cohort: q.cohort,
    unitStatus: q.unitStatus,
  };
}

function exportQuery(q: OverviewQuery): string {
  const params = new URLSearchParams();
  for (const key of ['at', 'province', 'industry', 'status', 'cohort', 'unitStatus'] as const) {
    if (q[key] !== undefined && q[key] !== '') params.set(key, String(q[key]));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
