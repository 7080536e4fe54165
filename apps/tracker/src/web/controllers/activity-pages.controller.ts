import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController, IntersectionType, PickType } from '@nestjs/swagger';
import type { Response } from 'express';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { Env } from '@app/common';
import type { Locale } from '@app/reporting/i18n';
import { type ActivityDetail, ActivitiesService } from '../../activities/activities.service';
import { activityActions } from '../../activities/activity-actions';
import { ActivityQuery, CreateActivityDto, UpdateActivityDto } from '../../activities/dto/activity.dto';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { Clock } from '../../common/clock';
import { MAX_ID } from '../../common/validators';
import { CommentsService } from '../../comments/comments.service';
import { MAX_COMMENT_LENGTH } from '../../comments/dto/comment.dto';
import { ALLOWED_TYPES, formatBytes, MAX_FILES_PER_UPLOAD } from '../../evidence/evidence-files';
import { EvidenceService } from '../../evidence/evidence.service';
import { IntegrityService } from '../../integrity/integrity.service';
import { type UnitView, UnitsService } from '../../units/units.service';
import { RuleSetsService } from '../../rule-sets/rule-sets.service';
import {
  activityFormValues,
  type FormValues,
  formValues,
  type KindForm,
  kindForms,
  toActivityDto,
} from '../activity-form';
import { type FieldErrors, submitForm } from '../form-validation';
import { FlashQuery } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { duplicatesSection } from '../duplicates-view';
import { pickUnit, showPick, withPickError } from '../unit-picker';
import { ViewsService } from '../views.service';

/** The new-activity form's start: the unit (`unit`, bounded as the API's unitId) and the API's requirement. */
export class NewActivityQuery extends IntersectionType(
  FlashQuery,
  PickType(ActivityQuery, ['requirement'] as const),
) {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unit?: number;
}

/** Logging an activity: the form per requirement kind, evidence, draft → submit → (rejected) → resubmit. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('activities')
export class ActivityPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly activities: ActivitiesService,
    private readonly evidence: EvidenceService,
    private readonly comments: CommentsService,
    private readonly units: UnitsService,
    private readonly clock: Clock,
    private readonly env: Env,
    private readonly ruleSets: RuleSetsService,
    private readonly integrity: IntegrityService,
  ) {}

  /** The kinds the form offers: the unit's own rule set's (SPEC §3), or every kind before a unit is chosen. */
  private kinds(unit: { program: string; ruleSetVersion: number } | null, locale: Locale): KindForm[] {
    const kinds = unit
      ? this.ruleSets.kindsOf(this.ruleSets.get(unit.program, unit.ruleSetVersion))
      : this.ruleSets.allKinds();
    return kindForms(kinds, locale);
  }

  private async unitOf(p: Principal, unitId: unknown): Promise<UnitView | null> {
    if (p.role === 'unit') return this.units.get(p, p.unitId ?? -1);
    const id = typeof unitId === 'string' && /^\d+$/.test(unitId) ? Number(unitId) : NaN;
    return Number.isSafeInteger(id) && id <= MAX_ID ? this.units.get(p, id).catch(() => null) : null;
  }

  @Allow('activities:record')
  @Get('new')
  async newForm(
    @CurrentUser() p: Principal,
    @Query() q: NewActivityQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const unit = await this.unitOf(p, String(q.unit ?? p.unitId ?? ''));
    const values: FormValues = {
      requirement: q.requirement ?? this.kinds(unit, requestLocale(req))[0]?.kind ?? '',
      date: this.clock.today(),
      unitId: String(q.unit ?? p.unitId ?? ''),
    };
    await this.showNew(p, req, res, values, {}, '', 200);
  }

  @Allow('activities:record')
  @Post()
  async create(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const values = formValues(body);
    // The unit picker (admins): looked up on the server, so it also works without scripts.
    const pick = p.role === 'unit' ? null : await pickUnit(this.units, p, body, locale);
    if (pick) showPick(pick, values);
    const unit = await this.unitOf(p, values.unitId);
    const checked = toActivityDto(values, 'create', locale, this.kinds(unit, locale));
    await submitForm(
      withPickError(checked, pick),
      locale,
      async (dto) => {
        if (body.action === 'submit') {
          // A requirement that needs evidence stays a draft; the activity's page (where files are added) says so.
          const { activity, submitted } = await this.activities.createAndSubmit(p, dto as CreateActivityDto);
          return res.redirect(
            303,
            `/activities/${activity.id}?done=${submitted ? 'submitted' : 'savedNeedsEvidence'}`,
          );
        }
        const created = await this.activities.create(p, dto as CreateActivityDto);
        res.redirect(303, `/activities/${created.id}?done=created`);
      },
      ({ errors, formError }) => this.showNew(p, req, res, values, errors, formError, 400, pick?.candidates),
    );
  }

  @Get(':id')
  async show(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: FlashQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const a = await this.activities.get(p, id);
    const flash = this.views.flash(req, q.done);
    await this.showActivity(p, req, res, a, activityFormValues(a), {}, '', flash, 200);
  }

  /** Saves the edit; with action=submit also submits it (the resubmission after a rejection too). */
  @Allow('activities:record')
  @Post(':id')
  async update(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const values = formValues(body);
    const current = await this.activities.get(p, id);
    const checked = toActivityDto(values, 'update', locale, this.kinds(current, locale));
    await submitForm(
      checked,
      locale,
      async (dto) => {
        if (body.action === 'submit') {
          await this.activities.updateAndSubmit(p, id, dto as UpdateActivityDto);
          return res.redirect(303, `/activities/${id}?done=submitted`);
        }
        await this.activities.update(p, id, dto as UpdateActivityDto);
        res.redirect(303, `/activities/${id}?done=saved`);
      },
      async ({ errors, formError, by }) => {
        // A refused submit comes after the save: show the activity as it is stored now.
        const shown = by === 'service' ? await this.activities.get(p, id) : current;
        await this.showActivity(p, req, res, shown, values, errors, formError, '', 400);
      },
    );
  }

  @Allow('activities:record')
  @Post(':id/delete')
  async remove(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const a = await this.activities.get(p, id);
    await this.activities.remove(p, id);
    res.redirect(303, `/units/${a.unitId}?done=deleted`);
  }

  @Allow('activities:record')
  @Post(':id/evidence/:fileId/delete')
  async removeEvidence(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Param('fileId', ParseIdPipe) fileId: number,
    @Res() res: Response,
  ) {
    await this.evidence.remove(p, fileId, id);
    res.redirect(303, `/activities/${id}?done=evidenceDeleted`);
  }

  private async showNew(
    p: Principal,
    req: PageRequest,
    res: Response,
    values: FormValues,
    errors: FieldErrors,
    formError: string,
    status: number,
    unitCandidates: UnitView[] = [],
  ) {
    // Admins pick the unit with the unit picker (searching on the server), not from a list of them all.
    const unit = await this.unitOf(p, values.unitId);
    this.views.page(
      req,
      res,
      'activity-form.njk',
      {
        mode: 'create',
        values,
        errors,
        formError,
        unit,
        unitSearch: values.unitSearch ?? unit?.name ?? '',
        unitCandidates,
        kinds: this.kinds(unit, requestLocale(req)),
        today: this.clock.today(),
      },
      status,
    );
  }

  private async showActivity(
    p: Principal,
    req: PageRequest,
    res: Response,
    a: ActivityDetail,
    values: FormValues,
    errors: FieldErrors,
    formError: string,
    flash: string,
    status: number,
  ) {
    const locale = requestLocale(req);
    const comments = await this.comments.list(p, a.id);
    this.views.page(
      req,
      res,
      'activity.njk',
      {
        a,
        mode: 'update',
        values,
        errors,
        formError,
        flash,
        // The activity was found through the caller's scope, so its unit is in scope.
        ...activityActions(p, a),
        comments,
        duplicates: duplicatesSection(p, await this.integrity.forActivity(p, a.id)),
        maxComment: MAX_COMMENT_LENGTH,
        kinds: this.kinds(a, locale),
        today: this.clock.today(),
        upload: this.uploadLimits(locale),
      },
      status,
    );
  }

  /** What the upload widget checks before sending (the server checks the same again). */
  private uploadLimits(locale: Locale) {
    const types = Object.keys(ALLOWED_TYPES);
    return {
      maxBytes: this.env.UPLOAD_MAX_BYTES,
      maxLabel: formatBytes(this.env.UPLOAD_MAX_BYTES),
      maxFiles: MAX_FILES_PER_UPLOAD,
      types: types.join(','),
      accept: types.map((t) => `.${t}`).join(','),
      typesLabel: types.map((t) => t.toUpperCase()).join(locale === 'zh' ? '、' : ', '),
    };
  }
}
