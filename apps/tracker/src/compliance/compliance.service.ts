import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import {
  type Cycle,
  cumulativeByMonth,
  evaluateCounts,
  type IsoDate,
  isIsoDate,
  type MonthPoint,
  periodContaining,
  periodsOf,
  REQUIREMENT_STATUSES,
  type RequirementCounts,
  requirementPeriod,
  type RequirementStatus,
  ruleSetKey,
  type UnitCompliance,
  type UnitTarget as EngineTarget,
  withCounts,
} from '@app/compliance';
import { InvalidInputError, NotFoundError } from '@app/common';
import { type Principal, ScopePolicy } from '@app/auth';
import { PeriodClose, Unit, UnitTarget } from '@app/db';
import { Clock } from '../common/clock';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { ComplianceSql, type Executor, type Window } from './compliance.sql';
import type {
  ClosedInfo,
  ComplianceTrend,
  PeriodSnapshot,
  ScopeComplianceView,
  ScopeFilter,
  ScopeRow,
  TrendMonth,
  UnitComplianceView,
  UnitSummary,
} from './compliance.types';

const NAME_ORDER = new Intl.Collator('zh-Hans-CN');

/** Scope views kept in memory per instance (a national one holds every unit: a few MB). */
const MEMO_SIZE = 32;
/** One unit's views kept per instance (about 7 KB each). */
const UNIT_MEMO_SIZE = 2000;

/**
 * Compliance figures from the database, the one source for the API, the dashboard and the monthly
 * e-mail. Counting is grouped SQL (see ComplianceSql); statuses, minimums and pace come from the pure
 * engine (evaluateCounts), so the numbers equal evaluate() on the same activities.
 *
 * Periods follow periodContaining(): an `at` before a unit's cycle judges its first period, an `at`
 * after it its last one (then ended: met or failed). `today` drives pace and defaults to the Clock.
 */
@Injectable()
export class ComplianceService {
  private sqlCache?: ComplianceSql;
  /** Scope views and trends by key (see memo), least recently used first. */
  private readonly memory = new Map<string, Promise<unknown>>();
  private readonly unitMemory = new Map<string, Promise<unknown>>();

  constructor(
    private readonly em: EntityManager,
    private readonly ruleSets: RuleSetsService,
    private readonly clock: Clock,
  ) {}

  /** The SQL builder (public for benchmarks and EXPLAIN checks). */
  get sql(): ComplianceSql {
    return (this.sqlCache ??= new ComplianceSql(this.em));
  }

  /** One unit's standing at `at` (default today). The caller has checked the unit is in scope. */
  async forUnit(
    unit: UnitSummary,
    at?: IsoDate,
    today: IsoDate = this.clock.today(),
  ): Promise<UnitComplianceView> {
    checkDate(today, 'today');
    at = checkDate(at ?? today, 'at');
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const cycle = cycleOf(unit);
    // A closed period answers its snapshot: frozen whatever changed since (rule set, targets, today).
    const annual = periodContaining(ruleSet, cycle, at);
    const frozen = (await this.closedSnapshots({ unitId: unit.id })).get(`${unit.id}|${annual.start}`);
    if (frozen) {
      return {
        at,
        unit: summaryOf(unit),
        periods: periodsOf(ruleSet, cycle),
        ...frozen.snapshot,
        closed: frozen.closed,
      };
    }
    return {
      at,
      unit: summaryOf(unit),
      periods: periodsOf(ruleSet, cycle),
      ...(await this.snapshotOf(unit, at, today)),
    };
  }

  /**
   * The live (not closed) standing of a unit in the period holding `at`, as a period close stores it:
   * the figures of that moment, computed from the activities whatever an earlier close holds.
   */
  async snapshotOf(
    unit: UnitSummary,
    at: IsoDate,
    today: IsoDate = this.clock.today(),
  ): Promise<PeriodSnapshot> {
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const cycle = cycleOf(unit);
    const windows = ruleSet.requirements.map((req) => {
      const period = requirementPeriod(req, ruleSet, cycle, at);
      return { req, start: period.start, end: period.end };
    });
    const { counts, dates } = await this.countWindows(unit.id, windows);
    const targets = (await this.targetsOf({ unitId: unit.id })).get(unit.id) ?? [];
    const result = evaluateCounts(ruleSet, cycle, counts, today, at, targets);
    const series: Record<string, MonthPoint[]> = {};
    for (const r of result.requirements) {
      series[r.key] = cumulativeByMonth(r.period, dates[r.key].sort(), r.minimum, today);
    }
    return {
      today: result.today,
      period: result.period,
      requirements: result.requirements,
      overall: result.overall,
      ruleSet: { program: ruleSet.program, version: ruleSet.version, name: ruleSet.name },
      series,
    };
  }

  /**
   * The snapshots of closed periods, by `unitId|periodStart`: of one unit, or of every unit a scope
   * filter selects (joined to the units, one query).
   */
  async closedSnapshots(
    which: { unitId: number } | { filter: ScopeFilter },
  ): Promise<Map<string, { snapshot: PeriodSnapshot; closed: ClosedInfo }>> {
    const meta = this.em.getMetadata().get(PeriodClose.name);
    const col = (prop: keyof PeriodClose) => `c.${meta.properties[prop].fieldNames[0]}`;
    const q = this.sql
      .knex({ c: meta.tableName })
      .select({
        unitId: col('unit'),
        periodStart: col('periodStart'),
        closedAt: col('closedAt'),
        closedBy: col('closedByEmail'),
        snapshot: col('snapshot'),
      })
      .whereNotNull(col('closedAt'));
    if ('unitId' in which) q.where(col('unit'), which.unitId);
    else {
      q.join({ u: this.em.getMetadata().get(Unit.name).tableName }, this.sql.u('id'), col('unit'));
      this.sql.unitFilter(q, which.filter);
    }
    const out = new Map<string, { snapshot: PeriodSnapshot; closed: ClosedInfo }>();
    for (const r of (await q) as Record<string, unknown>[]) {
      const snapshot = (
        typeof r.snapshot === 'string' ? JSON.parse(r.snapshot) : r.snapshot
      ) as PeriodSnapshot;
      if (!snapshot) continue;
      const closedAt = r.closedAt instanceof Date ? r.closedAt : new Date(r.closedAt as string | number);
      out.set(`${Number(r.unitId)}|${String(r.periodStart)}`, {
        snapshot,
        closed: { closedAt: closedAt.toISOString(), closedBy: (r.closedBy as string | null) ?? null },
      });
    }
    return out;
  }

  /**
   * Verified and pending counts of one unit over the given windows (one per requirement), from its
   * activities, with the dates the cumulative chart needs. `tx`: run inside that transaction (the read
   * model's writes). Index lookups on (unit, requirement, status, date); never a scan.
   */
  async countWindows(
    unitId: number,
    windows: readonly Window[],
    tx?: Executor,
  ): Promise<{ counts: Record<string, RequirementCounts>; dates: Record<string, IsoDate[]> }> {
    const counts: Record<string, RequirementCounts> = {};
    const dates: Record<string, IsoDate[]> = {};
    for (const w of windows) {
      counts[w.req.key] = { verified: 0, pending: 0 };
      dates[w.req.key] = [];
    }
    const plain = windows.filter((w) => !w.req.distinctBy);
    for (const row of await this.sql.unitMonths(unitId, plain, tx)) {
      const c = counts[row.requirement];
      if (row.status === 'submitted') {
        c.pending += row.n;
      } else {
        c.verified += row.n;
        // Any date of the month inside the period lands on the same month-end point of the chart.
        for (let i = 0; i < row.n; i++) dates[row.requirement].push(row.first);
      }
    }
    for (const w of windows.filter((x) => x.req.distinctBy)) {
      for (const person of await this.sql.unitPersons(unitId, w, tx)) {
        if (person.verified) {
          counts[w.req.key].verified++;
          dates[w.req.key].push(person.first as IsoDate);
        } else {
          counts[w.req.key].pending++;
        }
      }
    }
    return { counts, dates };
  }

  /**
   * Every unit of a scope at `at` (default today), worst first. Without `page`, all rows.
   * Counts come from the read model (compliance_counts, kept on write by ComplianceCounts): each unit's
   * row of the period holding `at` clamped to its cycle (so an `at` before the cycle judges its first
   * period and one after it its last), one indexed query, no scan of activities. Minimums, pace and
   * statuses are the engine's, worked out once per rule set and cycle (withCounts), since time moves them
   * without any write.
   */
  async forScope(
    filter: ScopeFilter,
    at?: IsoDate,
    today: IsoDate = this.clock.today(),
    page?: { page: number; pageSize: number },
  ): Promise<ScopeComplianceView> {
    checkDate(today, 'today');
    at = checkDate(at ?? today, 'at');
    const evaluated = filter.unitIds
      ? await this.evaluateScope(filter, at, today)
      : await this.memo(`scope|${at}|${today}`, filter.provinces, () =>
          this.evaluateScope({ provinces: filter.provinces }, at, today),
        );
    const { rows, totals } = filter.unitIds ? selectRows(evaluated, filter) : selected(evaluated, filter);
    const pageSize = page?.pageSize ?? Math.max(rows.length, 1);
    const pageNo = page?.page ?? 1;
    return {
      at,
      today,
      requirements: evaluated.columns.filter((c) => c.key in totals.meeting),
      rows: rows.slice((pageNo - 1) * pageSize, pageNo * pageSize),
      total: rows.length,
      page: pageNo,
      pageSize,
      totals,
    };
  }

  /**
   * Every unit the filter selects, evaluated at `at` and sorted worst first, then by name (zh collation),
   * then id, with the requirement columns in the order they first appear.
   */
  private async evaluateScope(filter: ScopeFilter, at: IsoDate, today: IsoDate): Promise<EvaluatedScope> {
    const units = await this.sql.units(filter);
    const counts = new Map<number, Record<string, RequirementCounts>>();
    for (const row of await this.sql.storedCounts(filter, at)) {
      let c = counts.get(row.unitId);
      if (!c) counts.set(row.unitId, (c = {}));
      c[row.requirement] = { verified: row.verified, pending: row.pending };
    }
    const columns = new Map<string, ScopeComplianceView['requirements'][number]>();
    const templates = new Map<string, UnitCompliance>();
    // Every target of the scope in one query; a unit with targets gets a template of its own.
    const targets = units.length ? await this.targetsOf({ filter }) : new Map<number, EngineTarget[]>();
    // Closed periods show their snapshot (one query for the scope).
    const closed = units.length ? await this.closedSnapshots({ filter }) : new Map();
    const rows: ScopeRow[] = units.map((unit) => {
      const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
      const same = `${ruleSetKey(ruleSet)}|${unit.cycleStart}|${unit.cycleEnd}`;
      const own = targets.get(unit.id);
      let template = own ? undefined : templates.get(same);
      if (own) template = evaluateCounts(ruleSet, cycleOf(unit), {}, today, at, own);
      else if (!template) {
        templates.set(same, (template = evaluateCounts(ruleSet, cycleOf(unit), {}, today, at)));
      }
      const live = withCounts(template, counts.get(unit.id) ?? {});
      const frozen = closed.get(`${unit.id}|${live.period.start}`)?.snapshot;
      const result = frozen ?? live;
      const requirements: ScopeRow['requirements'] = {};
      for (const r of result.requirements) {
        if (!columns.has(r.key)) {
          columns.set(r.key, { key: r.key, label: r.label, shortLabel: r.shortLabel, unit: r.unit });
        }
        const { verified, pending, minimum, ruleMinimum, targeted, pace } = r;
        const { remaining, remainingPending, daysLeft, status } = r;
        requirements[r.key] = {
          verified,
          pending,
          minimum,
          ruleMinimum,
          targeted,
          pace,
          remaining,
          remainingPending,
          daysLeft,
          status,
        };
      }
      return { unit, period: result.period, overall: result.overall, requirements, closed: !!frozen };
    });
    rows.sort(
      (a, b) =>
        REQUIREMENT_STATUSES.indexOf(a.overall) - REQUIREMENT_STATUSES.indexOf(b.overall) ||
        NAME_ORDER.compare(a.unit.name, b.unit.name) ||
        a.unit.id - b.unit.id,
    );
    return { rows, columns: [...columns.values()] };
  }

  /**
   * A scope view kept in memory while nothing in its provinces changed: the key carries the provinces'
   * versions (compliance_versions, raised in every change's transaction), read in one small query per
   * call, so every instance sees a change made by any other at once. At most MEMO_SIZE entries; a
   * computation in flight is shared by the requests that ask for it meanwhile.
   */
  private async memo<T>(what: string, provinces: string[] | null, compute: () => Promise<T>): Promise<T> {
    const versions = await this.sql.versions(provinces);
    const key = `${what}|${provinces?.join(',') ?? '*'}|${versions}`;
    return this.kept(this.memory, MEMO_SIZE, key, compute);
  }

  /** The entry of `key` in `memory` (least recently used first, at most `size`), computed once. */
  private kept<T>(
    memory: Map<string, Promise<unknown>>,
    size: number,
    key: string,
    compute: () => Promise<T>,
  ): Promise<T> {
    let entry = memory.get(key) as Promise<T> | undefined;
    if (entry) {
      memory.delete(key);
      memory.set(key, entry);
      return entry;
    }
    entry = compute();
    memory.set(key, entry);
    entry.catch(() => memory.delete(key));
    while (memory.size > size) memory.delete(memory.keys().next().value as string);
    return entry;
  }

  /** Verified (and submitted) activities per month of `year` in scope, for the supervisor chart. */
  async monthlyTrend(filter: ScopeFilter, year: number): Promise<ComplianceTrend> {
    if (!Number.isInteger(year) || year < 1000 || year > 9999) {
      throw new InvalidInputError('year', 'isInt', '年份无效', 'year must be a four-digit year');
    }
    const months: TrendMonth[] = Array.from({ length: 12 }, (_, i) => ({
      month: `${year}-${String(i + 1).padStart(2, '0')}`,
      verified: 0,
      submitted: 0,
      byRequirement: {},
    }));
    const { provinces, ...rest } = filter;
    const trend = filter.unitIds
      ? await this.sql.storedTrend(filter, year)
      : await this.memo(`trend|${year}|${JSON.stringify(rest)}`, provinces, () =>
          this.sql.storedTrend(filter, year),
        );
    for (const row of trend) {
      const m = months[Number(row.month.slice(5, 7)) - 1];
      if (!m) continue;
      if (row.status === 'verified') {
        m.verified += row.n;
        m.byRequirement[row.requirement] = (m.byRequirement[row.requirement] ?? 0) + row.n;
      } else {
        m.submitted += row.n;
      }
    }
    return { year, months };
  }

  /**
   * Unit targets (SPEC §3 v2) by unit id: of one unit, or of every unit a scope filter selects (joined to
   * the units, so one query and no id list). Read with knex like the counts.
   */
  private async targetsOf(
    which: { unitId: number } | { filter: ScopeFilter },
  ): Promise<Map<number, EngineTarget[]>> {
    const meta = this.em.getMetadata().get(UnitTarget.name);
    const col = (prop: keyof UnitTarget) => `t.${meta.properties[prop].fieldNames[0]}`;
    const q = this.sql.knex({ t: meta.tableName }).select({
      unitId: col('unit'),
      requirement: col('requirement'),
      periodStart: col('periodStart'),
      minimum: col('minimum'),
    });
    if ('unitId' in which) q.where(col('unit'), which.unitId);
    else {
      q.join({ u: this.em.getMetadata().get(Unit.name).tableName }, this.sql.u('id'), col('unit'));
      this.sql.unitFilter(q, which.filter);
    }
    const out = new Map<number, EngineTarget[]>();
    for (const r of (await q) as Record<string, unknown>[]) {
      const unitId = Number(r.unitId);
      let list = out.get(unitId);
      if (!list) out.set(unitId, (list = []));
      list.push({
        requirement: String(r.requirement),
        periodStart: String(r.periodStart),
        minimum: Number(r.minimum),
      });
    }
    return out;
  }

  // ---- for the HTTP layer: the caller's scope applied here, through ScopePolicy ----------------------

  /** A unit the caller may see, or 404 (also for units outside the scope, so scope does not leak). */
  async forUnitOf(p: Principal, unitId: number, at?: IsoDate): Promise<UnitComplianceView> {
    // The caller's scope (ScopePolicy.units) as a filter, read as one plain row: no entity is needed.
    const scope = scopeFilterOf(p);
    const found =
      scope.unitIds && !scope.unitIds.includes(unitId)
        ? null
        : await this.sql.unitWithVersion({ ...scope, unitIds: [unitId] });
    if (!found) throw new NotFoundError(`unit ${unitId}`);
    const { unit, versions } = found;
    // Kept like the scope views until something in the unit's province changes (memo); the province's
    // version came with the unit's row.
    const key = `unit|${unit.id}|${at ?? ''}|${this.clock.today()}|${unit.province}|${versions}`;
    return this.kept(this.unitMemory, UNIT_MEMO_SIZE, key, () => this.forUnit(unit, at));
  }

  async forScopeOf(
    p: Principal,
    q: Omit<ScopeFilter, 'provinces' | 'unitIds' | 'unitStatuses'> & {
      at?: IsoDate;
      page?: number;
      pageSize?: number;
      unitStatus?: Unit['status'];
    },
  ): Promise<ScopeComplianceView> {
    const { at, page, pageSize, unitStatus, ...rest } = q;
    return this.forScope(
      { ...scopeFilterOf(p, q.province), ...rest, ...(unitStatus ? { unitStatuses: [unitStatus] } : {}) },
      at,
      undefined,
      page || pageSize ? { page: page ?? 1, pageSize: pageSize ?? 50 } : undefined,
    );
  }

  async trendOf(
    p: Principal,
    q: { year?: number; province?: string; industry?: string; cohort?: number },
  ): Promise<ComplianceTrend> {
    const { year, ...rest } = q;
    return this.monthlyTrend(
      { ...scopeFilterOf(p, q.province), ...rest },
      year ?? Number(this.clock.today().slice(0, 4)),
    );
  }
}

/**
 * The caller's scope as a filter, following ScopePolicy: admins everything, supervisors their
 * provinces, unit users their own unit. Naming a province outside a supervisor's scope is a 404.
 */
export function scopeFilterOf(p: Principal, province?: string): Pick<ScopeFilter, 'provinces' | 'unitIds'> {
  if (p.role === 'unit') return { provinces: null, unitIds: [p.unitId ?? -1] };
  const provinces = ScopePolicy.provinces(p);
  if (province !== undefined && provinces !== null && !provinces.includes(province)) {
    throw new NotFoundError(`province ${province}`);
  }
  return { provinces };
}

function checkDate(value: unknown, field: string): IsoDate {
  if (!isIsoDate(value)) {
    throw new InvalidInputError(
      field,
      'isISO8601',
      `${field} 必须是有效日期 YYYY-MM-DD`,
      `${field} must be a calendar date YYYY-MM-DD`,
    );
  }
  return value;
}

type EvaluatedScope = { rows: ScopeRow[]; columns: ScopeComplianceView['requirements'] };
type Selection = { rows: ScopeRow[]; totals: ScopeComplianceView['totals'] };

/** Selections per kept scope view and filter: a repeated query (the overview's pages) only slices. */
const selections = new WeakMap<EvaluatedScope, Map<string, Selection>>();
const SELECTIONS_PER_VIEW = 64;

function selected(evaluated: EvaluatedScope, filter: ScopeFilter): Selection {
  let byFilter = selections.get(evaluated);
  if (!byFilter) selections.set(evaluated, (byFilter = new Map()));
  const key = JSON.stringify([
    filter.province,
    filter.industry,
    filter.cohort,
    filter.unitStatuses,
    filter.status,
  ]);
  let hit = byFilter.get(key);
  if (!hit) {
    if (byFilter.size >= SELECTIONS_PER_VIEW) byFilter.delete(byFilter.keys().next().value as string);
    byFilter.set(key, (hit = selectRows(evaluated, filter)));
  }
  return hit;
}

/** The rows the filter selects with their totals (per status, and per requirement how many meet it). */
function selectRows(evaluated: EvaluatedScope, filter: ScopeFilter): Selection {
  const all = evaluated.rows.filter((r) => inFilter(r.unit, filter));
  const byStatus = Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, 0])) as Record<
    RequirementStatus,
    number
  >;
  const meeting: Record<string, { met: number; of: number }> = {};
  for (const row of all) {
    byStatus[row.overall]++;
    for (const [key, cell] of Object.entries(row.requirements)) {
      const m = (meeting[key] ??= { met: 0, of: 0 });
      m.of++;
      if (cell.status === 'met') m.met++;
    }
  }
  const rows = filter.status ? all.filter((r) => r.overall === filter.status) : all;
  return { rows, totals: { units: all.length, byStatus, meeting } };
}

/** The scope filter's unit conditions, as ComplianceSql.unitFilter applies them in SQL. */
function inFilter(u: UnitSummary, f: ScopeFilter): boolean {
  return (
    (f.provinces === null || f.provinces.includes(u.province)) &&
    (f.province === undefined || u.province === f.province) &&
    (f.industry === undefined || u.industry === f.industry) &&
    (f.cohort === undefined || u.cycleStart.startsWith(`${f.cohort}-`)) &&
    (f.unitIds === undefined || f.unitIds.includes(u.id)) &&
    (f.unitStatuses === undefined || f.unitStatuses.includes(u.status))
  );
}

function cycleOf(unit: Pick<UnitSummary, 'cycleStart' | 'cycleEnd'>): Cycle {
  return { start: unit.cycleStart, end: unit.cycleEnd };
}

function summaryOf(u: UnitSummary): UnitSummary {
  return {
    id: u.id,
    name: u.name,
    province: u.province,
    industry: u.industry,
    kind: u.kind,
    cycleStart: u.cycleStart,
    cycleEnd: u.cycleEnd,
    program: u.program,
    ruleSetVersion: u.ruleSetVersion,
    status: u.status,
  };
}
