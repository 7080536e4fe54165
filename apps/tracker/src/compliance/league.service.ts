import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { IsoDate, LocalizedText } from '@app/compliance';
import { InvalidInputError } from '@app/common';
import { Access, type Principal } from '@app/auth';
import { Activity, Unit } from '@app/db';
import { type Locale, t } from '@app/reporting/i18n';
import { Clock } from '../common/clock';
import type { Cell, Sheet } from '../web/exports/spreadsheet';
import { ComplianceService } from './compliance.service';
import type { ScopeRow } from './compliance.types';

export const LEAGUE_BY = ['province', 'cohort', 'industry'] as const;
export type LeagueBy = (typeof LEAGUE_BY)[number];
export const LEAGUE_SORTS = [
  'group',
  'units',
  'allMet',
  'verifiedPerUnit',
  'medianReviewHours',
  'rejectedShare',
] as const;
export type LeagueSort = (typeof LEAGUE_SORTS)[number];
export const LEAGUE_ORDERS = ['asc', 'desc'] as const;
export type LeagueOrder = (typeof LEAGUE_ORDERS)[number];

export const LEAGUE_YEAR_MIN = 2000;
export const LEAGUE_YEAR_MAX = 2100;

export interface LeagueMeeting {
  /** Units meeting the requirement. */
  met: number;
  /** Units that have it. */
  of: number;
  /** met / of; null when no unit has it. */
  share: number | null;
}

/** The figures of one group of units (or of an aggregate of groups). */
export interface LeagueFigures {
  units: number;
  /** Per requirement key. */
  requirements: Record<string, LeagueMeeting>;
  /** Units meeting every requirement (overall status met). */
  allMet: number;
  /** allMet / units; null without units. */
  allMetShare: number | null;
  /** Verified counts of the units' requirements in their periods, summed. */
  verified: number;
  /** verified / units; null without units. */
  verifiedPerUnit: number | null;
  /** Activities whose latest review (verified or rejected) is dated in the year. */
  reviewed: number;
  rejected: number;
  /** rejected / reviewed; null without reviews. */
  rejectedShare: number | null;
  /** Median of submitted → reviewed over those reviews, in hours; null without reviews. */
  medianReviewHours: number | null;
}

export interface LeagueRow extends LeagueFigures {
  /** group: one province, cohort or industry; others: every group outside the caller's provinces together; national: every unit. */
  kind: 'group' | 'others' | 'national';
  /** The province code, the cohort year or the industry (group rows); null for the aggregates. */
  key: string | null;
}

export interface LeagueView {
  by: LeagueBy;
  year: number;
  /** The date picking each unit's period: today in the current year, else the year's last day. */
  at: IsoDate;
  today: IsoDate;
  sort: LeagueSort;
  order: LeagueOrder;
  /** Provinces whose groups are shown one by one; null: all. */
  provinces: string[] | null;
  requirements: { key: string; label: LocalizedText; shortLabel: LocalizedText; unit: LocalizedText }[];
  /** The group rows in the asked order, then the other provinces (if any), then the national row. */
  rows: LeagueRow[];
}

export interface LeagueQueryInput {
  by?: LeagueBy;
  year?: number;
  sort?: LeagueSort;
  order?: LeagueOrder;
}

/** The key of the other provinces' aggregate (no group key is empty). */
const OTHERS = '';
const NAME_ORDER = new Intl.Collator('zh-Hans-CN');
const MEMO_SIZE = 32;

interface ReviewStats {
  reviewed: number;
  rejected: number;
  median: number | null;
}

/**
 * League tables: the units whose cycle touches a year, grouped by province, cohort (the year the cycle
 * started) or industry. Standing comes from ComplianceService.forScope (the read model's stored counts
 * and the engine), so a group's figures are its units' `GET /api/v1/units/:id/compliance` figures summed;
 * review figures are grouped SQL over the activities reviewed in the year (the (status, reviewed_at)
 * index), never a scan per unit. Only groups, never units, leave this service.
 */
@Injectable()
export class LeagueService {
  private readonly memory = new Map<string, Promise<LeagueView>>();

  constructor(
    private readonly em: EntityManager,
    private readonly compliance: ComplianceService,
    private readonly clock: Clock,
  ) {}

  async view(p: Principal, q: LeagueQueryInput): Promise<LeagueView> {
    const provinces = Access.leagueProvinces(p);
    const today = this.clock.today();
    const by = q.by ?? 'province';
    const year = q.year ?? Number(today.slice(0, 4));
    if (!(LEAGUE_BY as readonly string[]).includes(by)) {
      throw new InvalidInputError(
        'by',
        'isIn',
        'by 须为 province、cohort 或 industry',
        'by must be one of province, cohort, industry',
      );
    }
    if (!Number.isInteger(year) || year < LEAGUE_YEAR_MIN || year > LEAGUE_YEAR_MAX) {
      throw new InvalidInputError(
        'year',
        'isInt',
        '年份须在 2000 至 2100 之间',
        'year must be from 2000 to 2100',
      );
    }
    const sort = q.sort ?? 'allMet';
    const order = q.order ?? (sort === 'group' ? 'asc' : 'desc');
    // Every province's version is in the key: the national row moves with any change anywhere.
    const versions = await this.compliance.sql.versions(null);
    const key = `${by}|${year}|${today}|${provinces?.join(',') ?? '*'}|${versions}`;
    let entry = this.memory.get(key);
    if (entry) this.memory.delete(key);
    else {
      entry = this.compute(by, year, today, provinces);
      entry.catch(() => this.memory.delete(key));
    }
    this.memory.set(key, entry);
    while (this.memory.size > MEMO_SIZE) this.memory.delete(this.memory.keys().next().value as string);
    const view = await entry;
    return { ...view, sort, order, rows: sorted(view.rows, sort, order, by) };
  }

  private async compute(
    by: LeagueBy,
    year: number,
    today: IsoDate,
    provinces: string[] | null,
  ): Promise<LeagueView> {
    const at = (year === Number(today.slice(0, 4)) ? today : `${year}-12-31`) as IsoDate;
    const first = `${year}-01-01`;
    const last = `${year}-12-31`;
    // Every unit (kept in memory per at/today by ComplianceService): the national row needs them all.
    const scope = await this.compliance.forScope({ provinces: null }, at, today);
    const rows = scope.rows.filter((r) => r.unit.cycleStart <= last && r.unit.cycleEnd >= first);
    const groups = new Map<string, ScopeRow[]>();
    for (const r of rows) {
      const g = partOf(r.unit, by, provinces);
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push(r);
    }
    const reviews = await this.reviewStats(by, year, provinces);
    const out: LeagueRow[] = [];
    const keys = new Set([...groups.keys(), ...reviews.groups.keys()]);
    for (const g of keys) {
      out.push({
        kind: g === OTHERS ? 'others' : 'group',
        key: g === OTHERS ? null : g,
        ...figures(groups.get(g) ?? [], reviews.groups.get(g)),
      });
    }
    out.push({ kind: 'national', key: null, ...figures(rows, reviews.national) });
    return {
      by,
      year,
      at,
      today,
      sort: 'allMet',
      order: 'desc',
      provinces,
      requirements: scope.requirements,
      rows: out,
    };
  }

  /**
   * Reviewed and rejected counts and the median review time per group, and for the whole country, over
   * the activities (not deleted, of live units whose cycle touches the year) whose latest review is dated
   * in the year (Asia/Shanghai). Three grouped queries; the median is taken in SQL with window functions.
   */
  private async reviewStats(
    by: LeagueBy,
    year: number,
    provinces: string[] | null,
  ): Promise<{ groups: Map<string, ReviewStats>; national: ReviewStats }> {
    const sql = this.compliance.sql;
    const k = sql.knex;
    const pg = sql.dialect === 'postgresql';
    // Datetimes are timestamps on PostgreSQL and epoch milliseconds on SQLite.
    const bound = (y: number) => {
      const ms = Date.parse(`${y}-01-01T00:00:00+08:00`);
      return pg ? new Date(ms) : ms;
    };
    // Expressions as [sql, bindings], joined by hand (a knex raw nested in a raw's bindings loses its place).
    type Expr = [string, unknown[]];
    const groupOf: Expr =
      by === 'cohort' ? ['substr(cast(?? as text), 1, 4)', [sql.u('cycleStart')]] : ['??', [sql.u(by)]];
    // Outside the caller's provinces every review counts in one "others" partition (o = 1, g = null).
    const mine = provinces?.length ? provinces : ['--'];
    const inList: Expr = [`?? in (${mine.map(() => '?').join(', ')})`, [sql.u('province'), ...mine]];
    const oExpr: Expr | null =
      provinces === null ? null : [`case when ${inList[0]} then 0 else 1 end`, inList[1]];
    const gExpr: Expr =
      provinces === null
        ? groupOf
        : [`case when ${inList[0]} then ${groupOf[0]} else null end`, [...inList[1], ...groupOf[1]]];
    const hoursExpr: Expr = pg
      ? ['extract(epoch from (?? - ??)) / 3600.0', [sql.a('reviewedAt'), sql.a('submittedAt')]]
      : ['(?? - ??) / 3600000.0', [sql.a('reviewedAt'), sql.a('submittedAt')]];
    const raw = ([text, bindings]: Expr) => k.raw(text, bindings as Knex.RawBinding[]);
    const o = oExpr && raw(oExpr);
    const g = raw(gExpr);
    const hours = raw(hoursExpr);
    const base = () =>
      k({ a: this.table(Activity.name) })
        .join({ u: this.table(Unit.name) }, sql.u('id'), sql.a('unit'))
        .whereIn(sql.a('status'), ['verified', 'rejected'])
        .where(sql.a('reviewedAt'), '>=', bound(year))
        .where(sql.a('reviewedAt'), '<', bound(year + 1))
        .whereNull(sql.a('deletedAt'))
        .whereNull(sql.u('deletedAt'))
        .where(sql.u('cycleStart'), '<=', `${year}-12-31`)
        .where(sql.u('cycleEnd'), '>=', `${year}-01-01`);
    const keyOf = (r: Record<string, unknown>) => (Number(r.o ?? 0) === 1 ? OTHERS : String(r.g));
    const counts: Record<string, unknown>[] = await base()
      .select({
        o: o ?? k.raw('0'),
        g,
        reviewed: k.raw('count(*)'),
        rejected: k.raw(`sum(case when ?? = 'rejected' then 1 else 0 end)`, [sql.a('status')]),
      })
      .groupByRaw('1, 2');
    /** Median hours per partition, or over every review when `grouped` is false; windows in SQL. */
    const median = async (grouped: boolean) => {
      const parts = grouped ? [...(oExpr ? [oExpr] : []), gExpr] : [];
      const over: Expr = parts.length
        ? [`partition by ${parts.map((x) => x[0]).join(', ')}`, parts.flatMap((x) => x[1])]
        : ['', []];
      const inner = base()
        .whereNotNull(sql.a('submittedAt'))
        .select({
          o: grouped && o ? o : k.raw('0'),
          g: grouped ? g : k.raw(`'*'`),
          h: hours,
          rn: raw([`row_number() over (${over[0]} order by ${hoursExpr[0]})`, [...over[1], ...hoursExpr[1]]]),
          n: raw([`count(*) over (${over[0]})`, over[1]]),
        });
      const found: Record<string, unknown>[] = await k
        .from(inner.as('d'))
        .select({ o: 'd.o', g: 'd.g', m: k.raw('avg(d.h)') })
        .whereRaw('(d.rn = (d.n + 1) / 2 or d.rn = (d.n + 2) / 2)')
        .groupBy('d.o', 'd.g');
      return new Map(found.map((r) => [keyOf(r), Number(r.m)]));
    };
    const medians = await median(true);
    const national = (await median(false)).get('*') ?? null;
    const groups = new Map<string, ReviewStats>();
    let reviewed = 0;
    let rejected = 0;
    for (const r of counts) {
      const key = keyOf(r);
      const stats = {
        reviewed: Number(r.reviewed),
        rejected: Number(r.rejected ?? 0),
        median: medians.get(key) ?? null,
      };
      groups.set(key, stats);
      reviewed += stats.reviewed;
      rejected += stats.rejected;
    }
    return { groups, national: { reviewed, rejected, median: national } };
  }

  private table(entity: string): string {
    return this.em.getMetadata().get(entity).tableName;
  }

  /** The league as one sheet: a row per group (then the aggregates), the same figures as the page. */
  sheet(view: LeagueView, locale: Locale): Sheet {
    const tr = (key: string, params?: Record<string, string | number>) => t(locale, key, params);
    const headers = [
      tr(`web.league.by.${view.by}`),
      tr('web.league.col.units'),
      tr('web.league.col.allMet'),
      tr('web.league.col.allMetShare'),
    ];
    for (const r of view.requirements) {
      const label = r.shortLabel[locale] || r.shortLabel.zh;
      headers.push(tr('web.league.col.reqMet', { label }), tr('web.league.col.reqShare', { label }));
    }
    headers.push(
      tr('web.league.col.verifiedPerUnit'),
      tr('web.league.col.medianReviewHours'),
      tr('web.league.col.reviewed'),
      tr('web.league.col.rejected'),
      tr('web.league.col.rejectedShare'),
    );
    const rows: Cell[][] = view.rows.map((row) => {
      const cells: Cell[] = [
        groupLabel(view.by, row, locale),
        row.units,
        row.allMet,
        percent(row.allMetShare),
      ];
      for (const r of view.requirements) {
        const m = row.requirements[r.key];
        cells.push(m ? m.met : null, m ? percent(m.share) : null);
      }
      cells.push(
        round(row.verifiedPerUnit, 2),
        round(row.medianReviewHours, 1),
        row.reviewed,
        row.rejected,
        percent(row.rejectedShare),
      );
      return cells;
    });
    return { name: `${tr('web.league.file')}-${view.year}`, headers, rows };
  }
}

/** The group a unit counts in: its province, cohort or industry, or OTHERS outside the caller's provinces. */
function partOf(unit: ScopeRow['unit'], by: LeagueBy, provinces: string[] | null): string {
  if (provinces !== null && !provinces.includes(unit.province)) return OTHERS;
  if (by === 'province') return unit.province;
  if (by === 'industry') return unit.industry;
  return unit.cycleStart.slice(0, 4);
}

function share(n: number, of: number): number | null {
  return of > 0 ? n / of : null;
}

function figures(rows: readonly ScopeRow[], reviews?: ReviewStats): LeagueFigures {
  const requirements: Record<string, LeagueMeeting> = {};
  let allMet = 0;
  let verified = 0;
  for (const row of rows) {
    if (row.overall === 'met') allMet++;
    for (const [key, cell] of Object.entries(row.requirements)) {
      const m = (requirements[key] ??= { met: 0, of: 0, share: null });
      m.of++;
      if (cell.status === 'met') m.met++;
      verified += cell.verified;
    }
  }
  for (const m of Object.values(requirements)) m.share = share(m.met, m.of);
  const reviewed = reviews?.reviewed ?? 0;
  const rejected = reviews?.rejected ?? 0;
  return {
    units: rows.length,
    requirements,
    allMet,
    allMetShare: share(allMet, rows.length),
    verified,
    verifiedPerUnit: share(verified, rows.length),
    reviewed,
    rejected,
    rejectedShare: share(rejected, reviewed),
    medianReviewHours: reviews?.median ?? null,
  };
}

/** Group rows in the asked order (missing values last, then by group), the aggregates after them. */
function sorted(rows: readonly LeagueRow[], sort: LeagueSort, order: LeagueOrder, by: LeagueBy): LeagueRow[] {
  const dir = order === 'asc' ? 1 : -1;
  const byGroup = (a: LeagueRow, b: LeagueRow) =>
    by === 'industry'
      ? NAME_ORDER.compare(a.key ?? '', b.key ?? '')
      : (a.key ?? '').localeCompare(b.key ?? '');
  const value = (r: LeagueRow): number | null =>
    sort === 'units' ? r.units : sort === 'allMet' ? r.allMetShare : sort === 'group' ? null : r[sort];
  const groups = rows
    .filter((r) => r.kind === 'group')
    .sort((a, b) => {
      if (sort === 'group') return dir * byGroup(a, b);
      const x = value(a);
      const y = value(b);
      if (x === null || y === null) return x === y ? byGroup(a, b) : x === null ? 1 : -1;
      return dir * (x - y) || byGroup(a, b);
    });
  return [
    ...groups,
    ...rows.filter((r) => r.kind === 'others'),
    ...rows.filter((r) => r.kind === 'national'),
  ];
}

/** A row's name in the locale: the province, "cohort 2025", the industry, or the aggregate's name. */
export function groupLabel(by: LeagueBy, row: LeagueRow, locale: Locale): string {
  if (row.kind === 'others') return t(locale, 'web.league.others');
  if (row.kind === 'national') return t(locale, 'web.league.national');
  if (by === 'province') return t(locale, `province.${row.key}`);
  if (by === 'cohort') return t(locale, 'web.yearReport.cohort', { cohort: row.key ?? '' });
  return row.key ?? '';
}

function round(n: number | null, digits: number): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A share as a percentage with one decimal (null stays empty). */
export function percent(n: number | null): number | null {
  return n === null ? null : round(n * 100, 1);
}
