import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { daysInclusive, type IsoDate, type LocalizedText, todayIn } from '@app/compliance';
import { Env, NotFoundError } from '@app/common';
import { Unit, type UnitContact } from '@app/db';
import type { Locale } from '@app/reporting';
import {
  DIGEST_CHART_IMAGES,
  type DigestModel,
  type DigestRow,
  MAX_QUEUE_ROWS,
  MAX_TABLE_ROWS,
  UNIT_CHART_IMAGES,
  type UnitReportModel,
} from '@app/reporting/mail';
import { t } from '@app/reporting';
import { ComplianceService } from '../compliance/compliance.service';
import type { ScopeComplianceView, ScopeRow, UnitComplianceView } from '../compliance/compliance.types';
import { type DigestActivityRow, type DigestUnitScope, ReportQueries } from './report-queries';
import type { WorkbookActivities } from './report-workbook';

/** Unit records that get reports and appear in digests: projects still running or being evaluated. */
export const REPORTED_UNIT_STATUSES: Unit['status'][] = ['active', 'under_evaluation', 'not_accepted'];

/** A digest and the compliance figures it was made from (the workbook's summary sheet). */
export interface DigestData {
  model: DigestModel;
  scope: ScopeComplianceView;
  /** The units it covers, for the workbook's activities. */
  units: DigestUnitScope;
}

/**
 * Turns compliance figures into report view models. The numbers are the compliance service's own
 * (forUnit / forScope with at = today = asOf), so a report equals the API and the dashboard.
 */
@Injectable()
export class ReportBuilder {
  constructor(
    private readonly em: EntityManager,
    private readonly compliance: ComplianceService,
    private readonly queries: ReportQueries,
    private readonly env: Env,
  ) {}

  async unitReport(
    unitId: number,
    period: string,
    asOf: IsoDate,
    locale: Locale,
    recipientName?: string | null,
  ): Promise<UnitReportModel> {
    const unit = await this.em.findOne(Unit, { id: unitId, deletedAt: null });
    if (!unit) throw new NotFoundError(`unit ${unitId}`);
    const view = await this.compliance.forUnit(unit, asOf, asOf);
    const rejected = await this.queries.rejected(unitId);
    // Every label comes from the unit's rule set (SPEC §3), short ones for the rejected list.
    const labels = new Map(view.requirements.map((r) => [r.key, r.shortLabel]));
    return {
      locale,
      period,
      asOf,
      recipientName: recipientName ?? null,
      dashboardUrl: this.url('/'),
      unit: { id: unit.id, name: unit.name, province: unit.province },
      compliancePeriod: { start: view.period.start, end: view.period.end },
      overall: view.overall,
      requirements: view.requirements.map((r) => ({
        key: r.key,
        label: r.label,
        shortLabel: r.shortLabel,
        unit: r.unit,
        verified: r.verified,
        pending: r.pending,
        minimum: r.minimum,
        pace: r.pace,
        remaining: r.remaining,
        remainingPending: r.remainingPending,
        daysLeft: r.daysLeft,
        status: r.status,
        periodEnd: r.period.end,
      })),
      rejected: rejected.map((a) => ({
        id: a.id,
        date: a.date,
        requirement: labels.get(a.requirement) ?? keyAsLabel(a.requirement),
        title: a.title,
        reason: a.rejectReason,
      })),
      cumulative: cumulativeTotal(view),
      charts: UNIT_CHART_IMAGES,
    };
  }

  /**
   * Digest of the units in the given provinces (null: all), as of `asOf`. Its size is bounded whatever
   * the scope: the model keeps only the rows the mail shows (the first MAX_TABLE_ROWS of the table and
   * of the units with something still needed) with the totals of both, and the review queue is counted
   * in SQL with only its MAX_QUEUE_ROWS oldest entries read. The full table is the workbook's.
   */
  async digest(
    provinces: string[] | null,
    period: string,
    asOf: IsoDate,
    locale: Locale,
    recipientName?: string | null,
  ): Promise<DigestData> {
    const units: DigestUnitScope = { provinces, unitStatuses: REPORTED_UNIT_STATUSES };
    const scope = await this.compliance.forScope(units, asOf, asOf);
    const queue = await this.queries.reviewQueue(units, MAX_QUEUE_ROWS);
    const labels = new Map(scope.requirements.map((r) => [r.key, r.shortLabel]));
    const shown = shownRows(scope.rows);
    const model: DigestModel = {
      locale,
      period,
      asOf,
      recipientName: recipientName ?? null,
      dashboardUrl: this.url('/'),
      provinces: provinces === null ? null : [...provinces].sort(),
      requirements: scope.requirements.map((r) => ({ key: r.key, label: r.shortLabel, unit: r.unit })),
      rows: shown.rows.map((r): DigestRow => ({
        unit: { id: r.unit.id, name: r.unit.name, province: r.unit.province },
        overall: r.overall,
        // The scope view's cells: counts, still needed (remaining, remainingPending) and daysLeft.
        cells: r.requirements,
      })),
      rowsTotal: scope.rows.length,
      neededTotal: shown.neededTotal,
      totals: scope.totals,
      queue: queue.oldest.map((a) => ({
        id: a.id,
        unitName: a.unitName,
        requirement: labels.get(a.requirement) ?? keyAsLabel(a.requirement),
        title: a.title,
        date: a.date,
        submittedAt: a.submittedAt,
        waitingDays: a.submittedAt ? Math.max(daysInclusive(todayIn(a.submittedAt), asOf) - 1, 0) : 0,
      })),
      queueTotal: queue.total,
      charts: DIGEST_CHART_IMAGES,
      attachmentName: t(locale, 'mail.xlsx.fileName', { period }),
    };
    return { model, scope, units };
  }

  /**
   * Every non-draft activity of the scope's units dated inside each unit's current period (the
   * workbook's second sheet), by unit, date and id: plain rows in pages, read only while the workbook
   * is written.
   */
  periodActivities(scope: ScopeComplianceView, units: DigestUnitScope): WorkbookActivities {
    const periods = new Map(scope.rows.map((r) => [r.unit.id, r.period]));
    const inPeriod = (a: DigestActivityRow) => {
      const p = periods.get(a.unitId);
      return !!p && a.date >= p.start && a.date <= p.end;
    };
    if (!scope.rows.length) return (async function* () {})();
    const from = scope.rows.reduce(
      (m, r) => (r.period.start < m ? r.period.start : m),
      scope.rows[0].period.start,
    );
    const to = scope.rows.reduce((m, r) => (r.period.end > m ? r.period.end : m), scope.rows[0].period.end);
    const pages = this.queries.activityPages(units, from, to);
    return (async function* () {
      for await (const page of pages) yield page.filter(inPeriod);
    })();
  }

  private url(path: string): string {
    return this.env.PUBLIC_URL.replace(/\/+$/, '') + path;
  }
}

/** Has the row a requirement not yet met (what the digest's still-needed list shows)? */
function hasStillNeeded(row: ScopeRow): boolean {
  return Object.values(row.requirements).some((c) => c.remaining > 0);
}

/**
 * The rows a digest mail shows, in scope order: the first MAX_TABLE_ROWS (the table) and the first
 * MAX_TABLE_ROWS with something still needed (the list), with how many have something still needed.
 */
export function shownRows(rows: readonly ScopeRow[]): { rows: ScopeRow[]; neededTotal: number } {
  const out: ScopeRow[] = [];
  let needed = 0;
  rows.forEach((row, i) => {
    const isNeeded = hasStillNeeded(row);
    if (isNeeded) needed++;
    if (i < MAX_TABLE_ROWS || (isNeeded && needed <= MAX_TABLE_ROWS)) out.push(row);
  });
  return { rows: out, neededTotal: needed };
}

/** Usable mail addresses of a unit's contacts, one per address. */
export function contactsOf(unit: Pick<Unit, 'contacts'>): UnitContact[] {
  const seen = new Set<string>();
  const out: UnitContact[] = [];
  for (const c of unit.contacts ?? []) {
    const email = String(c?.email ?? '')
      .trim()
      .toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || seen.has(email)) continue;
    seen.add(email);
    out.push({ name: c.name, email, locale: c.locale === 'en' ? 'en' : 'zh' });
  }
  return out;
}

/** For an activity whose requirement is not in the rule set any more: its key, rather than nothing. */
function keyAsLabel(key: string): LocalizedText {
  return { zh: key, en: key };
}

/**
 * The line chart's data: the requirements of the unit's main period added up month by month
 * (cumulative verified and pace), against the sum of their minimums.
 */
export function cumulativeTotal(view: Pick<UnitComplianceView, 'period' | 'requirements' | 'series'>) {
  const same = view.requirements.filter(
    (r) => r.period.start === view.period.start && r.period.end === view.period.end,
  );
  const byMonth = new Map<string, { month: string; verified: number; pace: number }>();
  for (const r of same) {
    for (const p of view.series[r.key] ?? []) {
      const point = byMonth.get(p.month) ?? { month: p.month, verified: 0, pace: 0 };
      point.verified += p.verified;
      point.pace += p.pace;
      byMonth.set(p.month, point);
    }
  }
  return {
    points: [...byMonth.values()].sort((a, b) => a.month.localeCompare(b.month)),
    minimum: same.reduce((n, r) => n + r.minimum, 0),
  };
}
