import type { EntityManager } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex } from '@mikro-orm/knex';
import type { IsoDate, Requirement } from '@app/compliance';
import { Activity, Unit } from '@app/db';
import { isActivityAttribute } from './compliance.facts';
import type { ScopeFilter, UnitSummary } from './compliance.types';

/** Every character String.prototype.trim() removes, so SQL trims person keys exactly like the engine. */
const JS_WHITESPACE = (() => {
  let chars = '';
  for (let c = 0; c <= 0xffff; c++) {
    const s = String.fromCharCode(c);
    if (s.trim() === '') chars += s;
  }
  return chars;
})();

/** A date window on activities.date; null bounds mean "the unit's cycle" (always applied). */
export interface Window {
  req: Requirement;
  start: IsoDate | null;
  end: IsoDate | null;
}

export interface UnitMonthRow {
  requirement: string;
  status: 'verified' | 'submitted';
  month: string;
  n: number;
  /** Earliest date in the group, a date inside both the month and the period. */
  first: IsoDate;
}

export interface PersonRow {
  verified: boolean;
  /** First verified date, null when only submitted. */
  first: IsoDate | null;
}

export interface ScopeCountRow {
  unitId: number;
  requirement: string;
  status: 'verified' | 'submitted';
  n: number;
}

type Builder = Knex.QueryBuilder;

/** Units sharing date windows: `condition` (see unitCondition) selects them, so no id list is sent. */
export interface ScopePart {
  condition: Knex.Raw;
  windows: readonly Window[];
}

/** Parts per statement: one pass over the table each, with a bounded statement size. */
const PARTS_PER_QUERY = 100;

const minOf = (xs: string[]) => xs.reduce((a, b) => (b < a ? b : a));
const maxOf = (xs: string[]) => xs.reduce((a, b) => (b > a ? b : a));

function batches<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += PARTS_PER_QUERY) out.push(xs.slice(i, i + PARTS_PER_QUERY));
  return out;
}

/**
 * The grouped SQL behind ComplianceService, written with knex so SQLite and PostgreSQL run the same
 * statements. Column names come from the ORM metadata. Every count repeats the engine's rules:
 * not deleted, status verified/submitted, requirement key, date inside the period and the unit's cycle,
 * each qualification alternative (`column IN (...)` per condition, so NULL never qualifies).
 */
export class ComplianceSql {
  readonly knex: Knex;
  private readonly dialect: 'postgresql' | 'sqlite';
  private readonly activityTable: string;
  private readonly unitTable: string;
  private readonly activityMeta;
  private readonly unitMeta;

  constructor(em: EntityManager) {
    this.knex = (em.getConnection() as AbstractSqlConnection).getKnex();
    const client = String((this.knex.client as { dialect?: string }).dialect ?? '');
    this.dialect = client.startsWith('postgres') ? 'postgresql' : 'sqlite';
    this.activityMeta = em.getMetadata().get(Activity.name);
    this.unitMeta = em.getMetadata().get(Unit.name);
    this.activityTable = this.activityMeta.tableName;
    this.unitTable = this.unitMeta.tableName;
  }

  /** `a.<column>` of an Activity property. */
  a(prop: string): string {
    return `a.${this.activityMeta.properties[prop as keyof Activity].fieldNames[0]}`;
  }

  /** `u.<column>` of a Unit property. */
  u(prop: string): string {
    return `u.${this.unitMeta.properties[prop as keyof Unit].fieldNames[0]}`;
  }

  /** The attribute as text, for `IN` lists of strings (numbers are cast so both dialects compare alike). */
  private attribute(field: string): Knex.Raw {
    const prop = this.activityMeta.properties[field as keyof Activity];
    return prop.runtimeType === 'string'
      ? this.knex.raw('??', [this.a(field)])
      : this.knex.raw('cast(?? as text)', [this.a(field)]);
  }

  /** The engine's identity key: the attribute trimmed; '' means none (as for a field no activity has). */
  private identity(field: string): Knex.Raw {
    if (!isActivityAttribute(field)) return this.knex.raw(`''`);
    const fn = this.dialect === 'postgresql' ? 'btrim' : 'trim';
    const prop = this.activityMeta.properties[field as keyof Activity];
    const text = prop.runtimeType === 'string' ? '??' : 'cast(?? as text)';
    return this.knex.raw(`${fn}(${text}, ?)`, [this.a(field), JS_WHITESPACE]);
  }

  /** Requirement key, qualification filter and date window of one requirement. */
  private requirementCondition(qb: Builder, w: Window): void {
    qb.where(this.a('requirement'), w.req.key);
    if (w.start) qb.where(this.a('date'), '>=', w.start);
    if (w.end) qb.where(this.a('date'), '<=', w.end);
    // Alternatives (SPEC §3 v2): (all conditions of one) or (all of another) …
    qb.where((any) => {
      for (const alternative of w.req.qualifies) {
        any.orWhere((all) => {
          all.whereRaw('1 = 1');
          for (const c of alternative) {
            if (!isActivityAttribute(c.field) || c.in.length === 0) all.whereRaw('1 = 0');
            else
              all.whereRaw(
                `${this.attribute(c.field).toQuery()} in (${c.in.map(() => '?').join(', ')})`,
                c.in,
              );
          }
        });
      }
      if (!w.req.qualifies.length) any.whereRaw('1 = 0');
    });
    if (w.req.distinctBy && !isActivityAttribute(w.req.distinctBy)) qb.whereRaw('1 = 0');
  }

  private countable(qb: Builder): Builder {
    return qb.whereNull(this.a('deletedAt')).whereIn(this.a('status'), ['verified', 'submitted']);
  }

  private anyOf(qb: Builder, windows: readonly Window[]): void {
    qb.where((any) => {
      for (const w of windows) any.orWhere((one) => this.requirementCondition(one, w));
    });
  }

  private month(): Knex.Raw {
    return this.knex.raw('substr(??, 1, 7)', [this.a('date')]);
  }

  // ---- one unit ---------------------------------------------------------------------------------

  /**
   * Non-distinct requirements of one unit: counts per requirement, status and month, so the same
   * rows give the totals and the monthly series. Uses the (unit_id, requirement, status, date) index.
   */
  unitMonthsQuery(unitId: number, windows: readonly Window[]): Builder {
    const k = this.knex;
    const q = k({ a: this.activityTable })
      .select({
        requirement: this.a('requirement'),
        status: this.a('status'),
        month: this.month(),
        n: k.raw('count(*)'),
        first: k.raw('min(??)', [this.a('date')]),
      })
      .where(this.a('unit'), unitId);
    this.countable(q);
    this.anyOf(q, windows);
    return q.groupBy(this.a('requirement'), this.a('status'), this.month());
  }

  async unitMonths(unitId: number, windows: readonly Window[]): Promise<UnitMonthRow[]> {
    if (!windows.length) return [];
    const rows: Record<string, unknown>[] = await this.unitMonthsQuery(unitId, windows);
    return rows.map((r) => ({
      requirement: String(r.requirement),
      status: r.status as UnitMonthRow['status'],
      month: String(r.month),
      n: Number(r.n),
      first: String(r.first),
    }));
  }

  /** A distinctBy requirement of one unit: one row per identity (verified or only pending, first verified date). */
  async unitPersons(unitId: number, w: Window): Promise<PersonRow[]> {
    const k = this.knex;
    const inner = k({ a: this.activityTable })
      .select({
        k: this.identity(w.req.distinctBy as string),
        d: this.a('date'),
        v: k.raw(`case when ?? = 'verified' then 1 else 0 end`, [this.a('status')]),
      })
      .where(this.a('unit'), unitId);
    this.countable(inner);
    this.requirementCondition(inner, w);
    const rows: Record<string, unknown>[] = await k
      .from(inner.as('x'))
      .select({ v: k.raw('max(v)'), first: k.raw('min(case when v = 1 then d end)') })
      .where('k', '<>', '')
      .groupBy('k');
    return rows.map((r) => ({
      verified: Number(r.v) === 1,
      first: r.first == null ? null : String(r.first),
    }));
  }

  // ---- many units -------------------------------------------------------------------------------

  /** Units of a scope filter (status filters rows after evaluation, so it is not applied here). */
  unitFilter(qb: Builder, f: ScopeFilter): Builder {
    qb.whereNull(this.u('deletedAt'));
    if (f.provinces !== null) qb.whereIn(this.u('province'), f.provinces.length ? f.provinces : ['--']);
    if (f.province !== undefined) qb.where(this.u('province'), f.province);
    if (f.industry !== undefined) qb.where(this.u('industry'), f.industry);
    if (f.cohort !== undefined) {
      qb.whereBetween(this.u('cycleStart'), [`${f.cohort}-01-01`, `${f.cohort}-12-31`]);
    }
    if (f.unitIds !== undefined) qb.whereIn(this.u('id'), f.unitIds.length ? f.unitIds : [-1]);
    if (f.unitStatuses !== undefined) {
      qb.whereIn(this.u('status'), f.unitStatuses.length ? f.unitStatuses : ['--']);
    }
    return qb;
  }

  async units(f: ScopeFilter): Promise<UnitSummary[]> {
    const fields = [
      'id',
      'name',
      'province',
      'industry',
      'kind',
      'cycleStart',
      'cycleEnd',
      'program',
      'ruleSetVersion',
      'status',
    ] as const;
    const select = Object.fromEntries(fields.map((p) => [p, this.u(p)]));
    const rows: Record<string, unknown>[] = await this.unitFilter(
      this.knex({ u: this.unitTable }).select(select),
      f,
    );
    return rows.map(
      (r) => ({ ...r, id: Number(r.id), ruleSetVersion: Number(r.ruleSetVersion) }) as UnitSummary,
    );
  }

  /**
   * A condition on unit columns (`u.<column> <op> value`, all of them) for one rule set, so a group of
   * units is selected by what they have in common rather than by a list of ids.
   */
  unitCondition(
    ruleSet: { program: string; version: number },
    tests: readonly [prop: string, op: '=' | '<=' | '>=', value: string][] = [],
  ): Knex.Raw {
    const all: [string, string, string | number][] = [
      ['program', '=', ruleSet.program],
      ['ruleSetVersion', '=', ruleSet.version],
      ...tests,
    ];
    return this.knex.raw(
      all.map(([, op]) => `?? ${op} ?`).join(' and '),
      all.flatMap(([prop, , value]) => [this.u(prop), value]),
    );
  }

  /**
   * Activities of the units in scope, joined to their unit and kept inside its cycle, counted when they
   * fall in their unit's window for their requirement. Each (rule set, requirement) is a slot; the units
   * subquery works out every unit's window per slot once (CASE over the group conditions), so the row
   * test is `requirement = key and date between the unit's bounds and qualifies`, with no constants on
   * the unit side for the planner to misjudge.
   */
  private scoped(f: ScopeFilter, parts: readonly ScopePart[]): Builder {
    const k = this.knex;
    const slots = new Map<
      Requirement,
      { condition: Knex.Raw; start: IsoDate | null; end: IsoDate | null }[]
    >();
    for (const part of parts) {
      for (const w of part.windows) {
        let cases = slots.get(w.req);
        if (!cases) slots.set(w.req, (cases = []));
        cases.push({ condition: part.condition, start: w.start, end: w.end });
      }
    }
    const bound = (
      cases: { condition: Knex.Raw; start: IsoDate | null; end: IsoDate | null }[],
      end: boolean,
    ) =>
      k.raw(
        `case ${cases.map((c) => `when ? then ${(end ? c.end : c.start) ? '?' : '??'}`).join(' ')} end`,
        cases.flatMap((c) => [
          c.condition,
          (end ? c.end : c.start) ?? this.u(end ? 'cycleEnd' : 'cycleStart'),
        ]),
      );
    const select: Record<string, string | Knex.Raw> = {
      id: this.u('id'),
      cs: this.u('cycleStart'),
      ce: this.u('cycleEnd'),
    };
    const list = [...slots.entries()];
    list.forEach(([, cases], i) => {
      select[`s${i}`] = bound(cases, false);
      select[`e${i}`] = bound(cases, true);
    });
    // The LIMIT keeps PostgreSQL from inlining the subquery, so the CASEs run once per unit, not per activity.
    const units = this.unitFilter(k({ u: this.unitTable }).select(select), f).limit(2_000_000_000);

    const q = k({ a: this.activityTable }).join(units.as('ut'), 'ut.id', this.a('unit'));
    this.countable(q);
    q.where(this.a('date'), '>=', k.ref('ut.cs')).where(this.a('date'), '<=', k.ref('ut.ce'));
    // Cheap filters first: only the requirement keys and the date span any window asks for.
    const windows = parts.flatMap((p) => p.windows);
    q.whereIn(this.a('requirement'), [...new Set(windows.map((w) => w.req.key))]);
    if (windows.every((w) => w.start)) q.where(this.a('date'), '>=', minOf(windows.map((w) => w.start!)));
    if (windows.every((w) => w.end)) q.where(this.a('date'), '<=', maxOf(windows.map((w) => w.end!)));
    q.where((any) => {
      list.forEach(([req], i) =>
        any.orWhere((one) => {
          this.requirementCondition(one, { req, start: null, end: null });
          one.where(this.a('date'), '>=', k.ref(`ut.s${i}`)).where(this.a('date'), '<=', k.ref(`ut.e${i}`));
        }),
      );
    });
    return q;
  }

  /** Non-distinct requirements of every unit the parts select, grouped by unit, requirement, status. */
  scopeCountsQuery(f: ScopeFilter, parts: readonly ScopePart[]): Builder {
    const q = this.scoped(f, parts).select({
      unitId: this.a('unit'),
      requirement: this.a('requirement'),
      status: this.a('status'),
      n: this.knex.raw('count(*)'),
    });
    return q.groupBy(this.a('unit'), this.a('requirement'), this.a('status'));
  }

  async scopeCounts(f: ScopeFilter, parts: readonly ScopePart[]): Promise<ScopeCountRow[]> {
    const out: ScopeCountRow[] = [];
    for (const batch of batches(parts.filter((p) => p.windows.length))) {
      const rows: Record<string, unknown>[] = await this.scopeCountsQuery(f, batch);
      for (const r of rows) {
        out.push({
          unitId: Number(r.unitId),
          requirement: String(r.requirement),
          status: r.status as ScopeCountRow['status'],
          n: Number(r.n),
        });
      }
    }
    return out;
  }

  /**
   * distinctBy requirements counting the same attribute, for every unit the parts select: distinct
   * identities per unit and requirement; an identity with any verified record is verified, one with only
   * submitted records is pending.
   */
  async scopeDistinct(
    f: ScopeFilter,
    field: string,
    parts: readonly ScopePart[],
  ): Promise<{ unitId: number; requirement: string; verified: number; pending: number }[]> {
    const k = this.knex;
    const out: { unitId: number; requirement: string; verified: number; pending: number }[] = [];
    for (const batch of batches(parts.filter((p) => p.windows.length))) {
      const inner = this.scoped(f, batch).select({
        unit_id: this.a('unit'),
        req: this.a('requirement'),
        k: this.identity(field),
        v: k.raw(`case when ?? = 'verified' then 1 else 0 end`, [this.a('status')]),
      });
      const perKey = k
        .from(inner.as('x'))
        .select('unit_id', 'req', 'k', k.raw('max(v) as v'))
        .where('k', '<>', '')
        .groupBy('unit_id', 'req', 'k');
      const rows: Record<string, unknown>[] = await k
        .from(perKey.as('y'))
        .select({ unitId: 'unit_id', requirement: 'req', verified: k.raw('sum(v)'), keys: k.raw('count(*)') })
        .groupBy('unit_id', 'req');
      for (const r of rows) {
        out.push({
          unitId: Number(r.unitId),
          requirement: String(r.requirement),
          verified: Number(r.verified),
          pending: Number(r.keys) - Number(r.verified),
        });
      }
    }
    return out;
  }

  /** Verified and submitted activities per month and requirement of one calendar year, in scope. */
  async trend(
    f: ScopeFilter,
    year: number,
  ): Promise<{ month: string; requirement: string; status: string; n: number }[]> {
    const k = this.knex;
    const q = k({ a: this.activityTable })
      .join({ u: this.unitTable }, this.u('id'), this.a('unit'))
      .select({
        month: this.month(),
        requirement: this.a('requirement'),
        status: this.a('status'),
        n: k.raw('count(*)'),
      })
      .whereBetween(this.a('date'), [`${year}-01-01`, `${year}-12-31`]);
    this.unitFilter(q, f);
    this.countable(q);
    // knex drops the columns after a raw first argument of groupBy, so the raw month goes last.
    const rows: Record<string, unknown>[] = await q.groupBy(
      this.a('requirement'),
      this.a('status'),
      this.month(),
    );
    return rows.map((r) => ({
      month: String(r.month),
      requirement: String(r.requirement),
      status: String(r.status),
      n: Number(r.n),
    }));
  }
}
