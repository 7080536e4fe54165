import type { EntityManager } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex, SqlEntityManager } from '@mikro-orm/knex';
import type { IsoDate, Requirement } from '@app/compliance';
import { Activity, ActivityMonthCount, ComplianceCount, ComplianceVersion, Unit } from '@app/db';
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

export interface StoredCountRow {
  unitId: number;
  requirement: string;
  verified: number;
  pending: number;
}

type Builder = Knex.QueryBuilder;

/** Runs a query inside the caller's transaction (the EntityManager given by em.transactional()). */
export type Executor = Pick<SqlEntityManager, 'execute'>;

export interface ActivityMonthRow {
  month: string;
  requirement: string;
  status: string;
  n: number;
}

/**
 * The grouped SQL behind ComplianceService, written with knex so SQLite and PostgreSQL run the same
 * statements. Column names come from the ORM metadata. Every count repeats the engine's rules:
 * not deleted, status verified/submitted, requirement key, date inside the period and the unit's cycle,
 * each qualification alternative (`column IN (...)` per condition, so NULL never qualifies).
 */
export class ComplianceSql {
  readonly knex: Knex;
  readonly dialect: 'postgresql' | 'sqlite';
  private readonly activityTable: string;
  private readonly unitTable: string;
  private readonly activityMeta;
  private readonly unitMeta;
  private readonly countMeta;
  private readonly monthMeta;
  private readonly versionMeta;

  constructor(em: EntityManager) {
    this.knex = (em.getConnection() as AbstractSqlConnection).getKnex();
    const client = String((this.knex.client as { dialect?: string }).dialect ?? '');
    this.dialect = client.startsWith('postgres') ? 'postgresql' : 'sqlite';
    this.activityMeta = em.getMetadata().get(Activity.name);
    this.unitMeta = em.getMetadata().get(Unit.name);
    this.countMeta = em.getMetadata().get(ComplianceCount.name);
    this.monthMeta = em.getMetadata().get(ActivityMonthCount.name);
    this.versionMeta = em.getMetadata().get(ComplianceVersion.name);
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

  /** 'YYYY-MM' of the activity's date (a `date` column on PostgreSQL, text on SQLite). */
  private month(): Knex.Raw {
    return this.dialect === 'postgresql'
      ? this.knex.raw(`to_char(??, 'YYYY-MM')`, [this.a('date')])
      : this.knex.raw('substr(??, 1, 7)', [this.a('date')]);
  }

  /** Runs a query in `tx`'s transaction when given (writes of the read model), else on the pool. */
  private async run(q: Builder, tx?: Executor): Promise<Record<string, unknown>[]> {
    return tx ? await tx.execute<Record<string, unknown>[]>(q) : await q;
  }

  // ---- one unit ---------------------------------------------------------------------------------

  /**
   * Non-deleted verified and submitted activities of one unit per month, requirement and status (any
   * qualification): the unit's rows of the monthly-trend read model.
   */
  async unitActivityMonths(unitId: number, tx?: Executor): Promise<ActivityMonthRow[]> {
    const k = this.knex;
    const q = k({ a: this.activityTable })
      .select({
        month: this.month(),
        requirement: this.a('requirement'),
        status: this.a('status'),
        n: k.raw('count(*)'),
      })
      .where(this.a('unit'), unitId);
    this.countable(q);
    const rows = await this.run(q.groupBy(this.a('requirement'), this.a('status'), this.month()), tx);
    return rows.map((r) => ({
      month: String(r.month),
      requirement: String(r.requirement),
      status: String(r.status),
      n: Number(r.n),
    }));
  }

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

  async unitMonths(unitId: number, windows: readonly Window[], tx?: Executor): Promise<UnitMonthRow[]> {
    if (!windows.length) return [];
    const rows = await this.run(this.unitMonthsQuery(unitId, windows), tx);
    return rows.map((r) => ({
      requirement: String(r.requirement),
      status: r.status as UnitMonthRow['status'],
      month: String(r.month),
      n: Number(r.n),
      first: String(r.first),
    }));
  }

  /** A distinctBy requirement of one unit: one row per identity (verified or only pending, first verified date). */
  async unitPersons(unitId: number, w: Window, tx?: Executor): Promise<PersonRow[]> {
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
    const rows = await this.run(
      k
        .from(inner.as('x'))
        .select({ v: k.raw('max(v)'), first: k.raw('min(case when v = 1 then d end)') })
        .where('k', '<>', '')
        .groupBy('k'),
      tx,
    );
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
    const rows: Record<string, unknown>[] = await this.unitFilter(
      this.knex({ u: this.unitTable }).select(this.unitSelect()),
      f,
    );
    return rows.map(unitSummaryOf);
  }

  /**
   * One unit the filter selects, with its province's version (compliance_versions) read in the same
   * query: what one unit's kept view is keyed by (ComplianceService.forUnitOf).
   */
  async unitWithVersion(f: ScopeFilter): Promise<{ unit: UnitSummary; versions: string } | null> {
    const q = this.knex({ u: this.unitTable })
      .select({ ...this.unitSelect(), version: 'v.version' })
      .leftJoin({ v: this.versionMeta.tableName }, 'v.province', this.u('province'));
    const [row] = (await this.unitFilter(q, f).limit(1)) as Record<string, unknown>[];
    if (!row) return null;
    const unit = unitSummaryOf(row);
    return { unit, versions: row.version == null ? '' : versionKey(unit.province, row.version) };
  }

  private unitSelect(): Record<string, string> {
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
    return Object.fromEntries(fields.map((p) => [p, this.u(p)]));
  }

  /**
   * The read model's counts (compliance_counts) of every unit the filter selects, in the unit's period
   * holding `at` clamped to its cycle: for calendar and project years alike that is the period
   * periodContaining() picks, and for whole-cycle requirements the cycle. One indexed read.
   */
  async storedCounts(f: ScopeFilter, at: IsoDate): Promise<StoredCountRow[]> {
    const k = this.knex;
    const c = (col: string) => `c.${this.countMeta.properties[col as 'unit'].fieldNames[0]}`;
    const clamped = k.raw('case when ? < ?? then ?? when ? > ?? then ?? else ? end', [
      at,
      this.u('cycleStart'),
      this.u('cycleStart'),
      at,
      this.u('cycleEnd'),
      this.u('cycleEnd'),
      at,
    ]);
    const q = k({ c: this.countMeta.tableName })
      .join({ u: this.unitTable }, this.u('id'), c('unit'))
      .select({
        unitId: c('unit'),
        requirement: c('requirement'),
        verified: c('verified'),
        pending: c('pending'),
      })
      .where(c('periodStart'), '<=', clamped)
      .where(c('periodEnd'), '>=', clamped);
    this.unitFilter(q, f);
    const rows: Record<string, unknown>[] = await q;
    return rows.map((r) => ({
      unitId: Number(r.unitId),
      requirement: String(r.requirement),
      verified: Number(r.verified),
      pending: Number(r.pending),
    }));
  }

  /** The versions of these provinces (all when null), as one string: changes whenever any of them does. */
  async versions(provinces: string[] | null): Promise<string> {
    const q = this.knex(this.versionMeta.tableName).select('province', 'version').orderBy('province');
    if (provinces !== null) q.whereIn('province', provinces.length ? provinces : ['--']);
    const rows: { province: string; version: number }[] = await q;
    return rows.map((r) => versionKey(r.province, r.version)).join(',');
  }

  /** Verified and submitted activities per month and requirement of one calendar year, in scope (read model). */
  async storedTrend(
    f: ScopeFilter,
    year: number,
  ): Promise<{ month: string; requirement: string; status: string; n: number }[]> {
    const k = this.knex;
    const m = (col: string) => `m.${this.monthMeta.properties[col as 'unit'].fieldNames[0]}`;
    const q = k({ m: this.monthMeta.tableName })
      .join({ u: this.unitTable }, this.u('id'), m('unit'))
      .select({
        month: m('month'),
        requirement: m('requirement'),
        status: m('status'),
        n: k.raw('sum(??)', [m('n')]),
      })
      .whereBetween(m('month'), [`${year}-01`, `${year}-12`]);
    this.unitFilter(q, f);
    const rows: Record<string, unknown>[] = await q.groupBy(m('month'), m('requirement'), m('status'));
    return rows.map((r) => ({
      month: String(r.month),
      requirement: String(r.requirement),
      status: String(r.status),
      n: Number(r.n),
    }));
  }
}

/** A province's version as the kept views' keys spell it (see versions()). */
function versionKey(province: string, version: unknown): string {
  return `${province}:${Number(version)}`;
}

function unitSummaryOf(r: Record<string, unknown>): UnitSummary {
  const { version: _, ...unit } = r;
  return { ...unit, id: Number(r.id), ruleSetVersion: Number(r.ruleSetVersion) } as UnitSummary;
}
