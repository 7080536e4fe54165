import { Controller, Get, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { requirementShareConfig } from '@app/reporting/charts/configs';
import { t } from '@app/reporting/i18n';
import { groupLabel, LEAGUE_BY, LEAGUE_SORTS, LeagueService, percent } from '../../compliance/league.service';
import { attachmentHeader, toCsv, toXlsx } from '../exports/spreadsheet';
import { LeaguePageQuery } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/** The overview's league tab: groups of units (never a unit), a chart of the share meeting everything, exports. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Allow('compliance:league')
@Controller('overview')
export class LeaguePagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly league: LeagueService,
  ) {}

  @Get('league')
  async page(
    @CurrentUser() p: Principal,
    @Query() q: LeaguePageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const view = await this.league.view(p, q);
    const labels = view.rows.map((r) => groupLabel(view.by, r, locale));
    const query = (changes: Record<string, string | number>) => {
      const params = new URLSearchParams({ by: view.by, year: String(view.year), ...stringsOf(changes) });
      if (q.lang) params.set('lang', q.lang);
      return `?${params.toString()}`;
    };
    this.views.page(req, res, 'league.njk', {
      view,
      labels,
      groupings: LEAGUE_BY,
      sorts: LEAGUE_SORTS,
      pct: (n: number | null) => (n === null ? '–' : `${percent(n)}%`),
      fixed: (n: number | null, digits: number) => (n === null ? '–' : n.toFixed(digits)),
      query,
      exportQuery: query({ sort: view.sort, order: view.order }),
      chart: requirementShareConfig(
        view.rows.map((r, i) => ({ label: labels[i], met: r.allMet, of: r.units })),
        locale,
        { title: t(locale, 'web.league.chartTitle', { year: view.year }) },
      ),
    });
  }

  @Get('league.xlsx')
  async xlsx(
    @CurrentUser() p: Principal,
    @Query() q: LeaguePageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    await this.send(p, q, req, res, 'xlsx');
  }

  @Get('league.csv')
  async csv(
    @CurrentUser() p: Principal,
    @Query() q: LeaguePageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    await this.send(p, q, req, res, 'csv');
  }

  private async send(
    p: Principal,
    q: LeaguePageQuery,
    req: PageRequest,
    res: Response,
    format: 'xlsx' | 'csv',
  ) {
    const view = await this.league.view(p, q);
    const sheet = this.league.sheet(view, requestLocale(req));
    const body = format === 'xlsx' ? await toXlsx([sheet]) : toCsv(sheet);
    res.setHeader(
      'Content-Type',
      format === 'xlsx'
        ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
        : 'text/csv; charset=utf-8',
    );
    res.setHeader('Content-Disposition', attachmentHeader(`${sheet.name}-${view.by}.${format}`));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Length', String(body.length));
    res.end(body);
  }
}

function stringsOf(o: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
}
