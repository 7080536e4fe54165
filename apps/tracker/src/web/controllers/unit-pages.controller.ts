import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, Allow, CurrentUser, type Principal } from '@app/auth';
import { ACTIVITY_STATUSES } from '@app/compliance';
import { ActivitiesService } from '../../activities/activities.service';
import { ActivityQuery } from '../../activities/dto/activity.dto';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { ComplianceService } from '../../compliance/compliance.service';
import { UnitTargetsService } from '../../units/unit-targets.service';
import { UnitStatusService } from '../../units/unit-status.service';
import { PeriodsService } from '../../periods/periods.service';
import { UnitsService } from '../../units/units.service';
import { ExportsService } from '../exports/exports.service';
import { submitForm, validateForm } from '../form-validation';
import { pageCount, UnitPageQuery } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { shortfalls, unitCharts } from '../present';
import {
  refusedTargetForm,
  RemoveTargetForm,
  TargetForm,
  type TargetFormState,
  targetOf,
} from '../target-form';
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
    private readonly targets: UnitTargetsService,
    private readonly lifecycle: UnitStatusService,
    private readonly periods: PeriodsService,
  ) {}

  @Get(':id')
  async show(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: UnitPageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    await this.showUnit(p, id, q, req, res);
  }

  /** The unit page; after a refused target form, with that form's values and messages (status 400). */
  private async showUnit(
    p: Principal,
    id: number,
    q: UnitPageQuery,
    req: PageRequest,
    res: Response,
    targetForm?: TargetFormState,
  ) {
    const data = await this.load(p, id, q, req);
    const list = await this.activities.list(p, activityQuery(id, q, q.page ?? 1, PAGE_SIZE));
    const targetDefaults = { requirement: '', periodStart: data.compliance.period.start };
    this.views.page(
      req,
      res,
      'unit.njk',
      {
        ...data,
        targetForm: targetForm ?? { values: targetDefaults, errors: {}, formError: '' },
        list,
        filters: q,
        // The unit's own requirements (SPEC §3), labelled by its rule set.
        requirementKinds: data.compliance.requirements.map((r) => r.key),
        kindLabel: (_: unknown, key: string) =>
          data.compliance.requirements.find((r) => r.key === key)?.shortLabel[requestLocale(req)] ?? key,
        activityStatuses: ACTIVITY_STATUSES,
        pages: pageCount(list.total, PAGE_SIZE),
        exportQuery: exportQuery(q),
        flash: this.views.flash(req, q.done),
      },
      targetForm ? 400 : 200,
    );
  }

  /**
   * Sets one target (SPEC §3 v2; admins, supervisors in scope) through the same service as
   * PUT /api/v1/units/:id/targets. A refusal shows the page again with the form's messages.
   */
  @Allow('units:setTargets')
  @Post(':id/targets')
  async setTarget(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const plain = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
    await submitForm(
      validateForm(TargetForm, plain, locale),
      locale,
      async (form) => {
        await this.targets.setOne(p, id, targetOf(form));
        res.redirect(303, `/units/${id}?done=targetSaved#targets`);
      },
      (refusal) => this.showUnit(p, id, new UnitPageQuery(), req, res, refusedTargetForm(plain, refusal)),
    );
  }

  @Allow('units:setTargets')
  @Post(':id/targets/delete')
  async removeTarget(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() form: RemoveTargetForm,
    @Res() res: Response,
  ) {
    await this.targets.removeOne(p, id, form);
    res.redirect(303, `/units/${id}?done=targetRemoved#targets`);
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
    const standing = await this.compliance.forUnitOf(p, id, q.at);
    await this.exports.unitActivities(
      p,
      id,
      activityQuery(id, q, 1, 500),
      requestLocale(req),
      'xlsx',
      res,
      standing,
    );
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
    // The caller's scope applies: another province's unit is a 404 here. The figures are the unit's
    // kept view (forUnitOf), as the API serves them.
    const unit = UnitsService.view(await this.units.findVisible(p, id));
    const compliance = await this.compliance.forUnitOf(p, id, q.at);
    const locale = requestLocale(req);
    const ctx = this.views.context(req, locale);
    return {
      t: ctx.t,
      unit,
      compliance,
      shortfalls: shortfalls(compliance, locale),
      charts: unitCharts(compliance, locale),
      canRecord: Access.can(p, 'activities:record', unit),
      canPack: Access.can(p, 'units:acceptancePack', unit),
      // SPEC §3 v2: the unit's targets; administrators and its supervisors may change them.
      targets: await this.targets.details(unit),
      targetChoices: this.targets.choices(unit),
      canSetTargets: Access.can(p, 'units:setTargets', unit),
      // The unit's lifecycle (status history, next steps) and its periods' year-end close.
      lifecycle: await this.lifecycle.history(p, id),
      periodList: await this.periods.list(p, id),
      canSetStatus: Access.can(p, 'units:setStatus', unit),
      canClose: Access.can(p, 'periods:close', unit),
      canReopen: Access.can(p, 'periods:reopen', unit),
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
