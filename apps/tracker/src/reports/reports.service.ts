import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { type IsoDate } from '@app/compliance';
import { Env, InvalidInputError, NotFoundError } from '@app/common';
import { Access, type Principal, ScopePolicy } from '@app/auth';
import {
  AuditLog,
  dialectOf,
  type OutboxStatus,
  ReportRun,
  type ReportRunTrigger,
  Unit,
  User,
} from '@app/db';
import { type EnqueueSpec, OutboxService, OutboxWorker } from '@app/mail';
import { type Locale } from '@app/reporting';
import type { DigestChartName, UnitChartName } from '@app/reporting/mail';
import { Clock } from '../common/clock';
import { Metrics } from '../observability/metrics.service';
import { RobotsService } from '../robots/robots.service';
import type { Page } from '../common/pagination';
import { contactsOf, REPORTED_UNIT_STATUSES } from './report-builder.service';
import {
  type ReportKind,
  ReportMails,
  type ReportSpec,
  SUPERVISOR_DIGEST,
  UNIT_REPORT,
} from './report-mails.service';
import { asOfFor, isPeriod, latestTickAtOrBefore, periodBounds, periodOfInstant } from './report-period';

/** PostgreSQL advisory lock held while a run creates its outbox rows. */
const RUN_LOCK = 7_303_001;
const SCHEDULED: ReportRunTrigger[] = ['schedule', 'catch_up'];

export interface RunOptions {
  trigger: ReportRunTrigger;
  actor?: Pick<Principal, 'id' | 'email'> | null;
  /** The cron tick a scheduled or caught-up run stands for. */
  scheduledFor?: Date | null;
  /**
   * For ticks: give up at once if another instance holds the lock, and do nothing if a scheduled
   * run of the period is already recorded. Manual runs wait for the lock and add what is missing.
   */
  tick?: boolean;
}

export interface RunSummary {
  runId: number | null;
  period: string;
  asOf: IsoDate;
  trigger: ReportRunTrigger;
  /** Mails the period has recipients for. */
  recipients: number;
  /** Rows created by this run. */
  queued: number;
  /** Recipients that already had a row, by its status. */
  existing: Record<OutboxStatus, number>;
  /** Set when a tick did nothing. */
  skipped?: 'locked' | 'already_ran';
}

export type RecipientSpec = EnqueueSpec & ReportSpec & { kind: ReportKind; asOf: IsoDate; locale: Locale };

export interface PreviewQuery {
  period?: string;
  locale?: Locale;
}

/**
 * The monthly job: who gets which report for a period, creating their outbox rows exactly once
 * (unique idempotency keys, created in one transaction under an advisory lock), catching up a missed
 * tick, and the previews.
 */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger('Reports');

  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    private readonly worker: OutboxWorker,
    private readonly mails: ReportMails,
    private readonly metrics: Metrics,
    private readonly robots: RobotsService,
  ) {}

  /** Creates the outbox rows of `period` that do not exist yet; sending is the worker's job. */
  run(period: string, opts: RunOptions): Promise<RunSummary> {
    return this.metrics.timeReportRun(
      opts.trigger,
      () => this.createRows(period, opts),
      (s) => s.skipped ?? 'done',
    );
  }

  private async createRows(period: string, opts: RunOptions): Promise<RunSummary> {
    checkPeriod(period);
    const asOf = asOfFor(period, this.clock.today());
    const summary: RunSummary = {
      runId: null,
      period,
      asOf,
      trigger: opts.trigger,
      recipients: 0,
      queued: 0,
      existing: { queued: 0, sending: 0, sent: 0, failed: 0 },
    };
    const pg = dialectOf(this.env.DATABASE_URL) === 'postgresql';
    await this.em.transactional(async (tx) => {
      const exec = (sql: string) => tx.getConnection().execute(sql, [], 'all', tx.getTransactionContext());
      if (pg && opts.tick) {
        const [row] = (await exec(`select pg_try_advisory_xact_lock(${RUN_LOCK}) as ok`)) as {
          ok: boolean;
        }[];
        if (!row?.ok) {
          summary.skipped = 'locked';
          return;
        }
      } else if (pg) {
        await exec(`select pg_advisory_xact_lock(${RUN_LOCK})`);
      }
      if (opts.tick && (await tx.count(ReportRun, { period, trigger: { $in: SCHEDULED } }))) {
        summary.skipped = 'already_ran';
        return;
      }
      const units = await this.reportedUnits(tx, period);
      const mails = await this.recipients(tx, period, asOf, units);
      // The group robots' rows (province digests, unit reports) are the run's too, created with the mails.
      const specs: EnqueueSpec[] = [...mails, ...(await this.robots.monthlySpecs(tx, period, asOf, units))];
      const run = tx.create(ReportRun, {
        period,
        trigger: opts.trigger,
        scheduledFor: opts.scheduledFor ?? null,
        asOf,
        actorId: opts.actor?.id ?? null,
        instance: `${hostname()}:${process.pid}`.slice(0, 200),
      });
      await tx.flush();
      const result = await this.outbox.enqueue(
        specs.map((s) => ({ ...s, runId: run.id })),
        tx,
      );
      run.queued = result.created;
      run.skipped = Object.values(result.existing).reduce((a, b) => a + b, 0);
      tx.persist(
        tx.create(AuditLog, {
          at: new Date(),
          actorId: opts.actor?.id ?? null,
          actorEmail: opts.actor?.email ?? null,
          action: 'report_run',
          entity: 'report_run',
          entityId: String(run.id),
          changes: { period, trigger: opts.trigger, asOf, queued: run.queued, skipped: run.skipped },
        }),
      );
      await tx.flush();
      Object.assign(summary, {
        runId: run.id,
        recipients: specs.length,
        queued: result.created,
        existing: result.existing,
      });
    });
    if (summary.runId !== null) {
      this.logger.log(
        `Report run ${summary.runId} (${opts.trigger}) for ${period}: ${summary.queued} queued, ` +
          `${summary.recipients - summary.queued} already there`,
      );
      this.worker.kick();
    }
    return summary;
  }

  /** The scheduled job: the period is the tick's month in REPORT_TZ. */
  tick(at: Date = new Date()): Promise<RunSummary> {
    return this.run(periodOfInstant(at, this.env.REPORT_TZ), {
      trigger: 'schedule',
      scheduledFor: at,
      tick: true,
    });
  }

  /**
   * At start-up: if the latest tick (looking back 35 days) came after the installation (the first
   * user's creation) and no scheduled run of its period is recorded, the service was down then; run it.
   */
  async catchUp(now: Date = new Date()): Promise<RunSummary | null> {
    const tick = latestTickAtOrBefore(this.env.REPORT_CRON, this.env.REPORT_TZ, now);
    if (!tick) return null;
    const [first] = await this.em.find(
      User,
      {},
      { orderBy: { createdAt: 'asc' }, fields: ['createdAt'], limit: 1 },
    );
    if (!first || first.createdAt.getTime() > tick.getTime()) return null;
    const period = periodOfInstant(tick, this.env.REPORT_TZ);
    if (await this.em.count(ReportRun, { period, trigger: { $in: SCHEDULED } })) return null;
    this.logger.log(`Catching up the report run of ${period} missed at ${tick.toISOString()}`);
    return this.run(period, { trigger: 'catch_up', scheduledFor: tick, tick: true });
  }

  /** The units that get a report for the period. */
  private reportedUnits(em: EntityManager, period: string): Promise<Unit[]> {
    const { start, end } = periodBounds(period);
    return em.find(
      Unit,
      {
        deletedAt: null,
        status: { $in: REPORTED_UNIT_STATUSES },
        cycleStart: { $lte: end },
        cycleEnd: { $gte: start },
      },
      { orderBy: { id: 'asc' } },
    );
  }

  /** Every mail the period has a recipient for, as outbox specs (idempotency key per recipient). */
  async recipients(
    em: EntityManager,
    period: string,
    asOf: IsoDate,
    reported?: Unit[],
  ): Promise<RecipientSpec[]> {
    const specs: RecipientSpec[] = [];
    const units = reported ?? (await this.reportedUnits(em, period));
    for (const unit of units) {
      for (const c of contactsOf(unit)) {
        specs.push({
          idempotencyKey: `${UNIT_REPORT}:${period}:${unit.id}:${c.email}`,
          kind: UNIT_REPORT,
          period,
          asOf,
          recipient: c.email,
          recipientName: c.name || null,
          locale: c.locale === 'en' ? 'en' : 'zh',
          unitId: unit.id,
        });
      }
    }
    const roles: User['role'][] = this.env.REPORT_ADMIN_DIGEST ? ['supervisor', 'admin'] : ['supervisor'];
    const users = await em.find(User, { active: true, role: { $in: roles } }, { orderBy: { id: 'asc' } });
    for (const u of users) {
      if (u.role === 'supervisor' && !u.provinces.length) continue;
      const email = u.email.toLowerCase();
      specs.push({
        idempotencyKey: `${SUPERVISOR_DIGEST}:${period}:${email}`,
        kind: SUPERVISOR_DIGEST,
        period,
        asOf,
        recipient: email,
        recipientName: u.name,
        locale: u.locale,
        userId: u.id,
      });
    }
    return specs;
  }

  /** What a run of `period` would do now, without writing anything (the CLI's --dry-run). */
  async plan(
    period: string,
  ): Promise<{ asOf: IsoDate; specs: RecipientSpec[]; existing: Map<string, OutboxStatus> }> {
    checkPeriod(period);
    const asOf = asOfFor(period, this.clock.today());
    const specs = await this.recipients(this.em, period, asOf);
    const existing = await this.outbox.statusesOf(specs.map((s) => s.idempotencyKey));
    return { asOf, specs, existing };
  }

  async runs(page: number, pageSize: number): Promise<Page<ReportRun>> {
    const [items, total] = await this.em.findAndCount(
      ReportRun,
      {},
      { orderBy: { id: 'desc' }, limit: pageSize, offset: (page - 1) * pageSize },
    );
    return { items, total, page, pageSize };
  }

  // ---- previews: the same rendering as the mail, for a caller in scope -------------------------------

  async unitPreview(p: Principal, unitId: number, q: PreviewQuery): Promise<string> {
    const unit = await this.visibleUnit(p, unitId);
    const { period, asOf, locale } = this.previewParams(p, q);
    const html = await this.mails.unitReportHtml(unit.id, period, asOf, locale);
    const base = `/api/v1/reports/units/${unit.id}/charts`;
    return withChartUrls(html, (name) => `${base}/${name}?period=${period}&locale=${locale}`);
  }

  async unitChart(p: Principal, unitId: number, chart: UnitChartName, q: PreviewQuery): Promise<Buffer> {
    const unit = await this.visibleUnit(p, unitId);
    const { period, asOf, locale } = this.previewParams(p, q);
    return this.mails.unitChart(unit.id, period, asOf, locale, chart);
  }

  async digestPreview(p: Principal, q: PreviewQuery & { userId?: number }): Promise<string> {
    const { period, asOf, locale } = this.previewParams(p, q);
    const provinces = await this.digestProvincesOf(p, q.userId);
    const html = await this.mails.digestHtml(provinces, period, asOf, locale);
    const who = q.userId ? `&userId=${q.userId}` : '';
    return withChartUrls(
      html,
      (name) => `/api/v1/reports/digest/charts/${name}?period=${period}&locale=${locale}${who}`,
    );
  }

  async digestChart(
    p: Principal,
    chart: DigestChartName,
    q: PreviewQuery & { userId?: number },
  ): Promise<Buffer> {
    const { period, asOf, locale } = this.previewParams(p, q);
    const provinces = await this.digestProvincesOf(p, q.userId);
    return this.mails.digestChart(provinces, period, asOf, locale, chart);
  }

  async digestWorkbook(p: Principal, q: PreviewQuery & { userId?: number }) {
    const { period, asOf, locale } = this.previewParams(p, q);
    const provinces = await this.digestProvincesOf(p, q.userId);
    return this.mails.digestWorkbook(provinces, period, asOf, locale);
  }

  /**
   * The provinces of the digest the caller may preview: supervisors their own; admins anyone's, or
   * all provinces (null) without a userId. Another user's id is a 404 for a supervisor, as if it did
   * not exist.
   */
  private async digestProvincesOf(p: Principal, userId?: number): Promise<string[] | null> {
    if (!Access.can(p, 'reports:digest')) throw new NotFoundError('digest');
    if (userId !== undefined && !Access.canSeeDigestOf(p, userId))
      throw new NotFoundError(`supervisor ${userId}`);
    if (p.role === 'admin' && userId === undefined) return null;
    return this.mails.digestScope(userId ?? p.id);
  }

  private async visibleUnit(p: Principal, unitId: number): Promise<Unit> {
    const unit = await this.em.findOne(Unit, { $and: [{ id: unitId }, ScopePolicy.units(p)] });
    if (!unit) throw new NotFoundError(`unit ${unitId}`);
    return unit;
  }

  private previewParams(p: Principal, q: PreviewQuery) {
    const today = this.clock.today();
    const period = q.period ?? today.slice(0, 7);
    checkPeriod(period);
    return { period, asOf: asOfFor(period, today), locale: q.locale ?? p.locale };
  }
}

function checkPeriod(period: string): void {
  if (!isPeriod(period)) {
    throw new InvalidInputError(
      'period',
      'matches',
      'period 必须是 YYYY-MM 格式的月份（2000–2100 年）',
      'period must be a month YYYY-MM (years 2000-2100)',
    );
  }
}

/** Points the mail's cid: images at the chart endpoints, for viewing in a browser. */
function withChartUrls(html: string, url: (chart: string) => string): string {
  return html.replace(
    /src="cid:([a-z]+)@report"/g,
    (_, name: string) => `src="${url(name).replace(/&/g, '&amp;')}"`,
  );
}
