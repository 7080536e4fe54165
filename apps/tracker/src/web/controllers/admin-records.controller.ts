import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController, IntersectionType, OmitType } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { OUTBOX_STATUSES, type OutboxStatus } from '@app/db';
import { OutboxService } from '@app/mail';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { AuditQuery } from '../../audit/audit-query.dto';
import { AuditQueryService } from '../../audit/audit-query.service';
import { NOTICE_KINDS } from '../../notices/notice-kinds';
import { SUPERVISOR_DIGEST, UNIT_REPORT } from '../../reports/report-mails.service';
import { REMINDER } from '../../reminders/reminder-dates';
import { ReportsService } from '../../reports/reports.service';
import { RuleSetsService } from '../../rule-sets/rule-sets.service';
import { MAX_ID } from '../../common/validators';
import { FlashQuery, FormBase, IsPageNumber, pageCount, PageQueryBase } from '../forms';
import { submitForm } from '../form-validation';
import { requestLocale } from '../locale';
import type { PageRequest } from '../locale';
import { RemindersService } from '../../reminders/reminders.service';
import { toReminderDaysDto } from '../reminder-days-form';
import { previewHtml, previewUrl } from '../mail-preview';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

const PAGE_SIZE = 50;

/** Actions and record types the audit filter offers; other values can still be typed in the URL. */
const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'submit',
  'verify',
  'reject',
  'login',
  'logout',
  'login_failed',
  'mail_sent',
  'mail_retry',
  'report_run',
  'reminder_days',
  'robot_create',
  'robot_delete',
  'targets.update',
  'seed',
];
const AUDIT_ENTITIES = [
  'unit',
  'user',
  'activity',
  'evidence',
  'outbox_message',
  'report_run',
  'program',
  'robot',
  'demo',
];

/**
 * The API's audit filter fields with the page's language, without the API's paging (the page size is
 * fixed here); the actor id is also bounded to what the column holds.
 */
export class AuditPageQuery extends IntersectionType(
  PageQueryBase,
  OmitType(AuditQuery, ['actorId', 'page', 'pageSize'] as const),
) {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  actorId?: number;

  @IsPageNumber()
  page?: number;
}

export class OutboxPageQuery extends FlashQuery {
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;

  @IsOptional()
  @IsIn([UNIT_REPORT, SUPERVISOR_DIGEST, ...NOTICE_KINDS, REMINDER])
  kind?: string;

  @IsOptional()
  @Matches(/^20\d\d-(0[1-9]|1[0-2])$/)
  period?: string;

  @IsOptional()
  @IsString()
  @MaxLength(254)
  recipient?: string;

  @IsPageNumber()
  page?: number;
}

/** The stored mail as the recipient saw it: its own inline styles, pictures from our chart endpoints only. */
const MAIL_CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** Read-only records for administrators: rule sets, the audit log, sent mail and report runs. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Allow('admin:pages')
@Controller('admin')
export class AdminRecordsController {
  constructor(
    private readonly views: ViewsService,
    private readonly ruleSets: RuleSetsService,
    private readonly audit: AuditQueryService,
    private readonly outbox: OutboxService,
    private readonly reports: ReportsService,
    private readonly reminders: RemindersService,
  ) {}

  @Get('rule-sets')
  async ruleSetList(@Query() q: FlashQuery, @Req() req: PageRequest, @Res() res: Response) {
    await this.showRuleSets(req, res, { flash: this.views.flash(req, q.done) });
  }

  /** The program's reminder days from the form's "60, 30, 7" (or back to the rule set's with `reset`). */
  @Post('rule-sets/:program/reminders')
  async setReminderDays(
    @CurrentUser() p: Principal,
    @Param('program') program: string,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const { raw, checked } = toReminderDaysDto(body, locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        await this.reminders.setDays(p, program, dto.days);
        res.redirect(303, '/admin/rule-sets?done=reminderDaysSaved');
      },
      ({ errors, formError }) =>
        this.showRuleSets(
          req,
          res,
          { reminderForm: { program, value: raw, error: errors.days ?? formError } },
          400,
        ),
    );
  }

  private async showRuleSets(req: PageRequest, res: Response, extra: object, status = 200) {
    const sets = [...this.ruleSets.all()].sort(
      (a, b) => a.program.localeCompare(b.program) || b.version - a.version,
    );
    const reminders = await this.reminders.settingsOfEach(new Set(sets.map((s) => s.program)));
    // A program by its name (the newest version's) where the page would otherwise show its code.
    const programNames = Object.fromEntries(sets.map((s) => [s.program, s.name]).reverse());
    this.views.page(req, res, 'admin/rule-sets.njk', { sets, reminders, programNames, ...extra }, status);
  }

  @Get('audit')
  async auditLog(@Query() q: AuditPageQuery, @Req() req: PageRequest, @Res() res: Response) {
    const { lang: _l, page, ...filters } = q;
    const result = await this.audit.list(
      Object.assign(new AuditQuery(), {
        ...filters,
        action: filters.action?.trim() || undefined,
        entity: filters.entity?.trim() || undefined,
        entityId: filters.entityId?.trim() || undefined,
        page: page ?? 1,
        pageSize: PAGE_SIZE,
      }),
    );
    this.views.page(req, res, 'admin/audit.njk', {
      result,
      verification: await this.audit.lastVerification(),
      filters: q,
      actions: AUDIT_ACTIONS,
      entities: AUDIT_ENTITIES,
      pages: pageCount(result.total, PAGE_SIZE),
      changesText: (c: unknown) => (c == null ? '' : JSON.stringify(c)),
    });
  }

  @Get('outbox')
  async outboxList(@Query() q: OutboxPageQuery, @Req() req: PageRequest, @Res() res: Response) {
    const result = await this.outbox.list({
      status: q.status,
      kind: q.kind,
      period: q.period,
      recipient: q.recipient?.trim() || undefined,
      page: q.page ?? 1,
      pageSize: PAGE_SIZE,
    });
    const runs = await this.reports.runs(1, 12);
    this.views.page(req, res, 'admin/outbox.njk', {
      result,
      runs,
      filters: q,
      statuses: OUTBOX_STATUSES,
      kinds: [UNIT_REPORT, SUPERVISOR_DIGEST, ...NOTICE_KINDS, REMINDER],
      pages: pageCount(result.total, PAGE_SIZE),
      flash: this.views.flash(req, q.done),
    });
  }

  @Get('outbox/:id')
  async outboxMessage(
    @Param('id', ParseIdPipe) id: number,
    @Query() q: FlashQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const m = await this.outbox.get(id);
    this.views.page(req, res, 'admin/outbox-message.njk', {
      m,
      preview: previewUrl(m),
      flash: this.views.flash(req, q.done),
    });
  }

  /** The stored HTML of a mail, for the preview frame; its cid: pictures come from the chart endpoints. */
  @Get('outbox/:id/html')
  async outboxHtml(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const m = await this.outbox.get(id);
    const html = previewHtml(m);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', MAIL_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.send(html);
  }

  @Post('outbox/:id/retry')
  async retry(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() _form: FormBase,
    @Res() res: Response,
  ) {
    await this.outbox.retry(p, id);
    res.redirect(303, `/admin/outbox/${id}?done=mailRetried`);
  }
}
