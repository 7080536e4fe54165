import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import {
  type IsoDate,
  type LocalizedText,
  type Period,
  PROVINCES,
  type ProvinceCode,
  type RequirementStatus,
} from '@app/compliance';
import { InvalidInputError } from '@app/common';
import { Activity, Unit } from '@app/db';
import { type Principal, ScopePolicy } from '@app/auth';
import { Clock } from '../common/clock';
import { type Locale, t } from '@app/reporting/i18n';
import { ComplianceService, scopeFilterOf } from '../compliance/compliance.service';
import type { ScopeRequirementCell, UnitSummary } from '../compliance/compliance.types';
import { type Cell, type Sheet, toXlsx } from '../web/exports/spreadsheet';
import { isoDateOf } from './report-queries';

export interface YearCell extends ScopeRequirementCell {
  /** Activities of the requirement in the period that were rejected (and not corrected since). */
  rejected: number;
}

export interface YearUnitRow {
  unit: UnitSummary;
  period: Period;
  overall: RequirementStatus;
  /** True when the period is closed: the figures are its frozen snapshot. */
  closed: boolean;
  /** Requirement keys not met (each cell's `remaining` says by how much). */
  shortfalls: string[];
  requirements: Record<string, YearCell>;
}

export interface ProvinceYearView {
  province: string;
  year: number;
  /** The date the figures are taken at (the year's last day: each unit's period of that year). */
  at: IsoDate;
  today: IsoDate;
  requirements: { key: string; label: LocalizedText; shortLabel: LocalizedText; unit: LocalizedText }[];
  /** Units grouped by cohort (the year their cycle started), oldest cohort first. */
  cohorts: { cohort: number; units: YearUnitRow[] }[];
  units: number;
}

/**
 * A province's year summary for its supervisors: every unit whose cycle touches the year, its period of
 * that year (the one holding 31 December, clipped to the cycle), per requirement the figures of the
 * compliance API (frozen where the period is closed), what is short and how many were rejected, grouped
 * by cohort. The figures come from ComplianceService.forScope, so they equal `GET /api/v1/compliance`.
 */
@Injectable()
export class ProvinceYearService {
  constructor(
    private readonly em: EntityManager,
    private readonly compliance: ComplianceService,
    private readonly clock: Clock,
  ) {}

  /**
   * The year report a page opens: the named province and year, or else the caller's first province (in
   * the list order) and last year; with the provinces the caller may choose from.
   */
  async viewOrDefault(
    p: Principal,
    province: string | undefined,
    year: number | undefined,
  ): Promise<{ view: ProvinceYearView; provinces: ProvinceCode[] }> {
    const scope = ScopePolicy.provinces(p);
    const provinces = PROVINCES.filter((x) => scope === null || scope.includes(x.code)).map((x) => x.code);
    const view = await this.view(
      p,
      province ?? provinces[0] ?? '--',
      year ?? Number(this.clock.today().slice(0, 4)) - 1,
    );
    return { view, provinces };
  }

  async view(p: Principal, province: string, year: number): Promise<ProvinceYearView> {
    if (!Number.isInteger(year) || year < 2000 || year > 2100) {
      throw new InvalidInputError(
        'year',
        'isInt',
        '年份须在 2000 至 2100 之间',
        'year must be from 2000 to 2100',
      );
    }
    const scope = scopeFilterOf(p, province);
    const at = `${year}-12-31` as IsoDate;
    const view = await this.compliance.forScope({ ...scope, province }, at);
    const rows = view.rows.filter((r) => r.unit.cycleStart <= at && r.unit.cycleEnd >= `${year}-01-01`);
    const rejected = await this.rejectedCounts(province, rows);
    const byCohort = new Map<number, YearUnitRow[]>();
    for (const r of rows) {
      const requirements: Record<string, YearCell> = {};
      for (const [key, cell] of Object.entries(r.requirements)) {
        requirements[key] = { ...cell, rejected: rejected.get(`${r.unit.id}|${key}`) ?? 0 };
      }
      const cohort = Number(r.unit.cycleStart.slice(0, 4));
      let list = byCohort.get(cohort);
      if (!list) byCohort.set(cohort, (list = []));
      list.push({
        unit: r.unit,
        period: r.period,
        overall: r.overall,
        closed: !!r.closed,
        shortfalls: Object.entries(r.requirements)
          .filter(([, c]) => c.status !== 'met')
          .map(([k]) => k),
        requirements,
      });
    }
    return {
      province,
      year,
      at,
      today: view.today,
      requirements: view.requirements,
      cohorts: [...byCohort.entries()]
        .sort(([a], [b]) => a - b)
        .map(([cohort, units]) => ({ cohort, units })),
      units: rows.length,
    };
  }

  /** Rejected activities per unit and requirement, dated inside each unit's period (one query). */
  private async rejectedCounts(
    province: string,
    rows: { unit: UnitSummary; period: Period }[],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!rows.length) return out;
    const meta = this.em.getMetadata();
    const am = meta.get(Activity.name);
    const um = meta.get(Unit.name);
    const a = (prop: string) => `a.${am.properties[prop as 'id'].fieldNames[0]}`;
    const u = (prop: string) => `u.${um.properties[prop as 'id'].fieldNames[0]}`;
    const knex = (this.em.getConnection() as AbstractSqlConnection).getKnex();
    const from = rows.reduce((m, r) => (r.period.start < m ? r.period.start : m), rows[0].period.start);
    const to = rows.reduce((m, r) => (r.period.end > m ? r.period.end : m), rows[0].period.end);
    const found: Record<string, unknown>[] = await knex({ a: am.tableName })
      .join({ u: um.tableName }, u('id'), a('unit'))
      .where(u('province'), province)
      .whereNull(u('deletedAt'))
      .whereNull(a('deletedAt'))
      .where(a('status'), 'rejected')
      .whereBetween(a('date'), [from, to])
      .select({ unitId: a('unit'), requirement: a('requirement'), date: a('date') })
      .count({ n: '*' })
      .groupBy(a('unit'), a('requirement'), a('date'));
    const periods = new Map(rows.map((r) => [r.unit.id, r.period]));
    for (const f of found) {
      const period = periods.get(Number(f.unitId));
      const date = isoDateOf(f.date);
      if (!period || date < period.start || date > period.end) continue;
      const key = `${Number(f.unitId)}|${String(f.requirement)}`;
      out.set(key, (out.get(key) ?? 0) + Number(f.n));
    }
    return out;
  }

  /** The year report as a workbook: one row per unit, cohorts in order, per requirement its figures. */
  async workbook(view: ProvinceYearView, L: Locale): Promise<{ fileName: string; content: Buffer }> {
    const headers = [
      t(L, 'web.col.cohort'),
      t(L, 'web.col.unit'),
      t(L, 'common.period'),
      t(L, 'web.col.overall'),
      t(L, 'web.yearReport.closed'),
    ];
    for (const r of view.requirements) {
      const label = r.shortLabel[L];
      headers.push(
        `${label} · ${t(L, 'common.verified')}`,
        `${label} · ${t(L, 'common.pending')}`,
        `${label} · ${t(L, 'common.minimum')}`,
        `${label} · ${t(L, 'web.yearReport.shortfall')}`,
        `${label} · ${t(L, 'web.yearReport.rejected')}`,
        `${label} · ${t(L, 'common.status')}`,
      );
    }
    const rows: Cell[][] = [];
    for (const c of view.cohorts) {
      for (const u of c.units) {
        const row: Cell[] = [
          c.cohort,
          u.unit.name,
          `${u.period.start} – ${u.period.end}`,
          t(L, `status.${u.overall}`),
          u.closed ? t(L, 'web.yearReport.closedYes') : '',
        ];
        for (const r of view.requirements) {
          const cell = u.requirements[r.key];
          row.push(
            ...(cell
              ? [
                  cell.verified,
                  cell.pending,
                  cell.minimum,
                  cell.remaining,
                  cell.rejected,
                  t(L, `status.${cell.status}`),
                ]
              : ['', '', '', '', '', '']),
          );
        }
        rows.push(row);
      }
    }
    const sheet: Sheet = { name: `${view.province}-${view.year}`, headers, rows };
    return {
      fileName: `${t(L, 'web.yearReport.file')}-${view.province}-${view.year}.xlsx`,
      content: await toXlsx([sheet]),
    };
  }
}
