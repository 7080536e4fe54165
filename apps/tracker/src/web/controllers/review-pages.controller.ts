import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser, type Principal, ScopePolicy } from '@app/auth';
import { PROVINCES } from '@app/compliance';
import { ActivitiesService } from '../../activities/activities.service';
import { BulkReviewDto, ReviewQueueQuery } from '../../activities/dto/review.dto';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { validateDto } from '../../cli/validate-dto';
import { RuleSetsService } from '../../rule-sets/rule-sets.service';
import { kindForms } from '../activity-form';
import { pageCount, RejectForm, RequestChangesForm, ReviewPageQuery, VerifyForm } from '../forms';
import { type PageRequest, requestLocale, safeNext } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

const PAGE_SIZE = 20;

/** Submitted activities, oldest first, with their evidence; verify or reject one at a time or in bulk. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Allow('activities:review')
@Controller('review')
export class ReviewPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly activities: ActivitiesService,
    private readonly ruleSets: RuleSetsService,
  ) {}

  @Get()
  async queue(
    @CurrentUser() p: Principal,
    @Query() q: ReviewPageQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const page = await this.activities.reviewQueue(
      p,
      Object.assign(new ReviewQueueQuery(), {
        province: q.province,
        requirement: q.requirement,
        unitId: q.unitId,
        page: q.page ?? 1,
        pageSize: PAGE_SIZE,
      }),
    );
    // With their evidence, so the reviewer sees everything on one page (at most PAGE_SIZE lookups).
    const items = await Promise.all(
      page.items.map(async (a) => ({
        ...(await this.activities.get(p, a.id)),
        commentCount: a.commentCount,
      })),
    );
    let flash = this.views.flash(req, q.done);
    if (q.ok !== undefined || q.failed !== undefined)
      flash = this.views.context(req).t('web.flash.bulk', { ok: q.ok ?? 0, failed: q.failed ?? 0 });
    const scope = ScopePolicy.provinces(p);
    this.views.page(req, res, 'review.njk', {
      page,
      items,
      filters: q,
      flash,
      kinds: kindForms(this.ruleSets.allKinds(), requestLocale(req)),
      requirementKinds: this.ruleSets.allKinds().map((k) => k.key),
      provinces: PROVINCES.filter((x) => scope === null || scope.includes(x.code)).map((x) => x.code),
      pages: pageCount(page.total, PAGE_SIZE),
      next: req.originalUrl.replace(/([?&])(done|ok|failed)=[^&]*/g, '$1'),
    });
  }

  @Post('bulk')
  async bulk(@CurrentUser() p: Principal, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const ids = ([] as unknown[])
      .concat(body.ids ?? [])
      .map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));
    const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason : undefined;
    const dto = validateDto(BulkReviewDto, { ids, action: body.action, ...(reason ? { reason } : {}) });
    const { results } = await this.activities.bulkReview(p, dto);
    const ok = results.filter((r) => r.ok).length;
    res.redirect(303, withParams(safeNext(body.next), { ok, failed: results.length - ok }));
  }

  @Post(':id/verify')
  async verify(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() form: VerifyForm,
    @Res() res: Response,
  ) {
    await this.activities.verify(p, id);
    res.redirect(303, withParams(safeNext(form.next ?? '/review'), { done: 'verified' }));
  }

  @Post(':id/reject')
  async reject(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() form: RejectForm,
    @Res() res: Response,
  ) {
    await this.activities.reject(p, id, form.reason);
    res.redirect(303, withParams(safeNext(form.next ?? '/review'), { done: 'rejected' }));
  }

  @Post(':id/request-changes')
  async requestChanges(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() form: RequestChangesForm,
    @Res() res: Response,
  ) {
    await this.activities.requestChanges(p, id, form.comment);
    res.redirect(303, withParams(safeNext(form.next ?? '/review'), { done: 'changesRequested' }));
  }
}

function withParams(path: string, params: Record<string, string | number>): string {
  const [base, query = ''] = path.split('?');
  const q = new URLSearchParams(query);
  for (const k of ['done', 'ok', 'failed']) q.delete(k);
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  return `${base}?${q.toString()}`;
}
