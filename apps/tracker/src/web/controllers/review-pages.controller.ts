import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Allow, CurrentUser, type Principal, ScopePolicy } from '@app/auth';
import { InvalidInputError } from '@app/common';
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
    let flash = this.views.flash(req, q.done);
    if (q.ok !== undefined || q.failed !== undefined)
      flash = this.views.context(req).t('web.flash.bulk', { ok: q.ok ?? 0, failed: q.failed ?? 0 });
    await this.showQueue(p, req, res, q, req.originalUrl, { flash });
  }

  @Post('bulk')
  async bulk(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const ids = ([] as unknown[])
      .concat(body.ids ?? [])
      .map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));
    const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason : undefined;
    const next = safeNext(body.next);
    try {
      const dto = validateDto(BulkReviewDto, { ids, action: body.action, ...(reason ? { reason } : {}) });
      const { results } = await this.activities.bulkReview(p, dto);
      const ok = results.filter((r) => r.ok).length;
      res.redirect(303, withParams(next, { ok, failed: results.length - ok }));
    } catch (e) {
      // A refused bulk action shows the queue again, the message next to the field it is about.
      if (!(e instanceof InvalidInputError)) throw e;
      const locale = requestLocale(req);
      const field = ['ids', 'action', 'reason'].includes(e.field) ? e.field : 'form';
      const message = locale === 'en' ? e.en : e.zh;
      const back = next.startsWith('/review') ? next : '/review';
      await this.showQueue(
        p,
        req,
        res,
        queueFilters(back),
        back,
        {
          bulkErrors: { [field]: message },
          bulkValues: {
            ids: ids.map(String),
            action: typeof body.action === 'string' ? body.action : '',
            reason: typeof body.reason === 'string' ? body.reason : '',
          },
        },
        400,
      );
    }
  }

  private async showQueue(
    p: Principal,
    req: PageRequest,
    res: Response,
    q: ReviewPageQuery,
    url: string,
    extra: object,
    status = 200,
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
        duplicateCount: a.duplicateCount,
      })),
    );
    const scope = ScopePolicy.provinces(p);
    const [path, query = ''] = url.split('?');
    this.views.page(
      req,
      res,
      'review.njk',
      {
        page,
        items,
        filters: q,
        kinds: kindForms(this.ruleSets.allKinds(), requestLocale(req)),
        requirementKinds: this.ruleSets.allKinds().map((k) => k.key),
        provinces: PROVINCES.filter((x) => scope === null || scope.includes(x.code)).map((x) => x.code),
        pages: pageCount(page.total, PAGE_SIZE),
        path: '/review',
        currentUrl: url,
        next: url.replace(/([?&])(done|ok|failed)=[^&]*/g, '$1'),
        urlWith: (changes: Record<string, string | number>) =>
          withParams(`${path}?${query}`, changes, ['done', 'ok', 'failed']),
        bulkErrors: {},
        bulkValues: { ids: [], action: '', reason: '' },
        ...extra,
      },
      status,
    );
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

function withParams(
  path: string,
  params: Record<string, string | number>,
  drop = ['done', 'ok', 'failed'],
): string {
  const [base, query = ''] = path.split('?');
  const q = new URLSearchParams(query);
  for (const k of drop) q.delete(k);
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  return `${base}?${q.toString()}`;
}

/** The queue's filters read back from the page a bulk form came from (invalid ones are left out). */
function queueFilters(url: string): ReviewPageQuery {
  const q = Object.fromEntries(new URLSearchParams(url.split('?')[1] ?? ''));
  const out = new ReviewPageQuery();
  for (const key of ['province', 'requirement', 'unitId', 'page'] as const) {
    if (q[key] === undefined) continue;
    const one = plainToInstance(ReviewPageQuery, { [key]: q[key] });
    if (validateSync(one).length === 0) Object.assign(out, { [key]: one[key] });
  }
  return out;
}
