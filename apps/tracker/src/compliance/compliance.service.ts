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
  type RuleSet,
  ruleSetKey,
  type UnitCompliance,
  type UnitTarget as EngineTarget,
  withCounts,
} from '@app/compliance';
import { InvalidInputError, NotFoundError } from '@app/common';
import { type Principal, ScopePolicy } from '@app/auth';
import { Unit, UnitTarget } from '@app/db';
import { Clock } from '../common/clock';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { ComplianceSql, type ScopePart, type Window } from './compliance.sql';
import type {
  ComplianceTrend,
  ScopeComplianceView,
  ScopeFilter,
  ScopeRow,
  TrendMonth,
  UnitComplianceView,
  UnitSummary,
} from './compliance.types';

/** Units evaluated over the same date windows. */
interface UnitGroup {
  ruleSet: RuleSet;
  windows: Window[];
  /** Selects exactly these units in SQL (on columns of `u`), so no id list is sent. */
  condition: ScopePart['condition'];
  unitIds: Set<number>;
}

const NAME_ORDER = new Intl.Collator('zh-Hans-CN');

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
    const windows = ruleSet.requirements.map((req) => {
      const period = requirementPeriod(req, ruleSet, cycle, at);
      return { req, start: period.start, end: period.end };
    });

    const counts: Record<string, RequirementCounts> = {};
    const dates: Record<string, IsoDate[]> = {};
    for (const w of windows) {
      counts[w.req.key] = { verified: 0, pending: 0 };
      dates[w.req.key] = [];
    }
    const plain = windows.filter((w) => !w.req.distinctBy);
    for (const row of await this.sql.unitMonths(unit.id, plain)) {
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
      for (const person of await this.sql.unitPersons(unit.id, w)) {
        if (person.verified) {
          counts[w.req.key].verified++;
          dates[w.req.key].push(person.first as IsoDate);
        } else {
          counts[w.req.key].pending++;
        }
      }
    }

    const targets = (await this.targetsOf({ unitId: unit.id })).get(unit.id) ?? [];
    const result = evaluateCounts(ruleSet, cycle, counts, today, at, targets);
    const series: Record<string, MonthPoint[]> = {};
    for (const r of result.requirements) {
      series[r.key] = cumulativeByMonth(r.period, dates[r.key].sort(), r.minimum, today);
    }
    return {
      ...result,
      at,
      unit: summaryOf(unit),
      ruleSet: { program: ruleSet.program, version: ruleSet.version, name: ruleSet.name },
      periods: periodsOf(ruleSet, cycle),
      series,
    };
  }

  /**
   * Every unit of a scope at `at` (default today), worst first. Without `page`, all rows.
   * Units are grouped by the date windows they are judged on (calendar-year rule sets: by effective year,
   * so units whose cycle covers at's year form one group and units whose cycle ended earlier or starts
   * later are judged on their last or first year; project-year rule sets: by cycle). All groups are
   * counted in one grouped query (plus one per distinctBy attribute), then evaluateCounts() per unit.
   */
  async forScope(
    filter: ScopeFilter,
    at?: IsoDate,
    today: IsoDate = this.clock.today(),
    page?: { page: number; pageSize: number },
  ): Promise<ScopeComplianceView> {
    checkDate(today, 'today');
    at = checkDate(at ?? today, 'at');
    const units = await this.sql.units(filter);

    const groups = new Map<string, UnitGroup>();
    // Units of one rule set and cycle share their group (and, below, periods, minimums and pace).
    const groupKeys = new Map<string, ReturnType<typeof groupOf>>();
    for (const unit of units) {
      const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
      const same = `${ruleSetKey(ruleSet)}|${unit.cycleStart}|${unit.cycleEnd}`;
      let grouping = groupKeys.get(same);
      if (!grouping) groupKeys.set(same, (grouping = groupOf(this.sql, ruleSet, unit, at)));
      const { key, make } = grouping;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { ...make(), ruleSet, unitIds: new Set() }));
      group.unitIds.add(unit.id);
    }

    const counts = new Map<number, Record<string, RequirementCounts>>();
    const add = (unitId: number, key: string, verified: number, pending: number) => {
      let c = counts.get(unitId);
      if (!c) counts.set(unitId, (c = {}));
      const r = (c[key] ??= { verified: 0, pending: 0 });
      r.verified += verified;
      r.pending += pending;
    };
    // One pass over the activities for all plain requirements, one per distinctBy attribute.
    const unitGroup = new Map<number, UnitGroup>();
    for (const g of groups.values()) for (const id of g.unitIds) unitGroup.set(id, g);
    const list = [...groups.values()];
    const plain = list.map((g) => ({
      condition: g.condition,
      windows: g.windows.filter((w) => !w.req.distinctBy),
    }));
    for (const row of await this.sql.scopeCounts(filter, plain)) {
      // Group conditions are disjoint; the check keeps a unit from ever counting outside its group.
      if (!unitGroup.get(row.unitId)?.windows.some((w) => w.req.key === row.requirement)) continue;
      if (row.status === 'verified') add(row.unitId, row.requirement, row.n, 0);
      else add(row.unitId, row.requirement, 0, row.n);
    }
    const fields = new Set(list.flatMap((g) => g.windows.map((w) => w.req.distinctBy ?? '')).filter(Boolean));
    for (const field of fields) {
      const parts = list.map((g) => ({
        condition: g.condition,
        windows: g.windows.filter((w) => w.req.distinctBy === field),
      }));
      for (const row of await this.sql.scopeDistinct(filter, field, parts)) {
        if (!unitGroup.get(row.unitId)?.windows.some((w) => w.req.key === row.requirement)) continue;
        add(row.unitId, row.requirement, row.verified, row.pending);
      }
    }

    const columns = new Map<string, ScopeComplianceView['requirements'][number]>();
    const byStatus = Object.fromEntries(REQUIREMENT_STATUSES.map((s) => [s, 0])) as Record<
      RequirementStatus,
      number
    >;
    const meeting: Record<string, { met: number; of: number }> = {};
    const templates = new Map<string, UnitCompliance>();
    // Every target of the scope in one query; a unit with targets gets a template of its own.
    const targets = units.length ? await this.targetsOf({ filter }) : new Map<number, EngineTarget[]>();
    const all: ScopeRow[] = units.map((unit) => {
      const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
      const same = `${ruleSetKey(ruleSet)}|${unit.cycleStart}|${unit.cycleEnd}`;
      const own = targets.get(unit.id);
      let template = own ? undefined : templates.get(same);
      if (own) template = evaluateCounts(ruleSet, cycleOf(unit), {}, today, at, own);
      else if (!template) {
        templates.set(same, (template = evaluateCounts(ruleSet, cycleOf(unit), {}, today, at)));
      }
      const result = withCounts(template, counts.get(unit.id) ?? {});
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
        const m = (meeting[r.key] ??= { met: 0, of: 0 });
        m.of++;
        if (status === 'met') m.met++;
      }
      byStatus[result.overall]++;
      return { unit, period: result.period, overall: result.overall, requirements };
    });

    const rows = (filter.status ? all.filter((r) => r.overall === filter.status) : all).sort(
      (a, b) =>
        REQUIREMENT_STATUSES.indexOf(a.overall) - REQUIREMENT_STATUSES.indexOf(b.overall) ||
        NAME_ORDER.compare(a.unit.name, b.unit.name) ||
        a.unit.id - b.unit.id,
    );
    const pageSize = page?.pageSize ?? Math.max(rows.length, 1);
    const pageNo = page?.page ?? 1;
    return {
      at,
      today,
      requirements: [...columns.values()],
      rows: rows.slice((pageNo - 1) * pageSize, pageNo * pageSize),
      total: rows.length,
      page: pageNo,
      pageSize,
      totals: { units: all.length, byStatus, meeting },
    };
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
    for (const row of await this.sql.trend(filter, year)) {
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
    const unit = await this.em.findOne(Unit, { $and: [{ id: unitId }, ScopePolicy.units(p)] });
    if (!unit) throw new NotFoundError(`unit ${unitId}`);
    return this.forUnit(unit, at);
  }

  async forScopeOf(
    p: Principal,
    q: Omit<ScopeFilter, 'provinces' | 'unitIds' | 'unitStatuses'> & {
      at?: IsoDate;
      page?: number;
      pageSize?: number;
    },
  ): Promise<ScopeComplianceView> {
    const { at, page, pageSize, ...rest } = q;
    return this.forScope(
      { ...scopeFilterOf(p, q.province), ...rest },
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

/**
 * Which query group a unit falls in at `at`, and how to build that group's windows and SQL condition.
 * Calendar years: periodContaining() clamps at's year Y to the cycle's years, so the effective year is
 * Y when the cycle touches Y, else the year the cycle ended (before Y) or starts (after Y). Each case is a
 * condition on unit columns. Windows are whole calendar years: the SQL also keeps dates inside each
 * unit's cycle, which is exactly the engine's clipped period.
 */
function groupOf(
  sql: ComplianceSql,
  ruleSet: RuleSet,
  unit: UnitSummary,
  at: IsoDate,
): { key: string; make: () => Pick<UnitGroup, 'windows' | 'condition'> } {
  const rs = ruleSetKey(ruleSet);
  const cycle = cycleOf(unit);

  if (ruleSet.periodMode === 'calendar_year') {
    const year = Number(periodContaining(ruleSet, cycle, at).start.slice(0, 4));
    const atYear = Number(at.slice(0, 4));
    const first = `${year}-01-01`;
    const last = `${year}-12-31`;
    return {
      key: `${rs}|${year}`,
      make: () => ({
        windows: ruleSet.requirements.map((req) =>
          req.period === 'cycle' ? { req, start: null, end: null } : { req, start: first, end: last },
        ),
        condition: sql.unitCondition(
          ruleSet,
          year === atYear
            ? [
                ['cycleStart', '<=', last],
                ['cycleEnd', '>=', first],
              ]
            : year < atYear
              ? [
                  ['cycleEnd', '>=', first],
                  ['cycleEnd', '<=', last],
                ]
              : [
                  ['cycleStart', '>=', first],
                  ['cycleStart', '<=', last],
                ],
        ),
      }),
    };
  }

  // Project years are counted from each cycle's start: units with the same cycle share periods.
  return {
    key: `${rs}|${unit.cycleStart}|${unit.cycleEnd}`,
    make: () => ({
      windows: ruleSet.requirements.map((req) => {
        const period = requirementPeriod(req, ruleSet, cycle, at);
        return { req, start: period.start, end: period.end };
      }),
      condition: sql.unitCondition(ruleSet, [
        ['cycleStart', '=', unit.cycleStart],
        ['cycleEnd', '=', unit.cycleEnd],
      ]),
    }),
  };
}
