import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex } from '@mikro-orm/knex';
import type { ActivityStatus, IsoDate } from '@app/compliance';
import { Activity, ACTIVITY_CATEGORY_FIELDS, Unit } from '@app/db';

/** The units a digest covers: not deleted, in these provinces (null: all), with one of these statuses. */
export interface DigestUnitScope {
  provinces: string[] | null;
  unitStatuses: Unit['status'][];
}

/** A submitted activity as the digest's review queue lists it. */
export interface QueueRow {
  id: number;
  unitName: string;
  requirement: string;
  title: string;
  date: IsoDate;
  submittedAt: Date | null;
}

type CategoryField = (typeof ACTIVITY_CATEGORY_FIELDS)[number];

/** An activity as the digest workbook's second sheet shows it: plain values, no entity. */
export type DigestActivityRow = {
  id: number;
  unitId: number;
  unitName: string;
  province: string;
  requirement: string;
  date: IsoDate;
  title: string;
  status: ActivityStatus;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  rejectReason: string | null;
} & { [F in CategoryField]: F extends 'participants' ? number | null : string | null };

/** A rejected activity waiting for correction, as the unit's report lists it. */
export interface RejectedRow {
  id: number;
  date: IsoDate;
  requirement: string;
  title: string;
  rejectReason: string | null;
}

/** Rows per page of the workbook's activities (keyset pagination). */
const PAGE = 2000;
/** Unit ids listed per query by the workbook's activity reader. */
const UNIT_BATCH = 200;

/**
 * The digest's reads that grow with the scope, as plain SQL rows (knex, bound parameters), never as
 * entities: the review queue counted in SQL with only the rows the mail shows fetched, and the period's
 * activities for the workbook in pages. The scope is a join on the units (provinces, unit statuses),
 * so no list of unit ids is sent.
 */
@Injectable()
export class ReportQueries {
  constructor(private readonly em: EntityManager) {}

  private get knex(): Knex {
    return (this.em.getConnection() as AbstractSqlConnection).getKnex();
  }

  /** `a.<column>` of an Activity property. */
  private a(prop: string): string {
    return `a.${this.em.getMetadata().get(Activity.name).properties[prop as keyof Activity].fieldNames[0]}`;
  }

  /** `u.<column>` of a Unit property. */
  private u(prop: string): string {
    return `u.${this.em.getMetadata().get(Unit.name).properties[prop as keyof Unit].fieldNames[0]}`;
  }

  /** Live activities joined to the live units of the scope. */
  private scoped(scope: DigestUnitScope): Knex.QueryBuilder {
    const meta = this.em.getMetadata();
    const qb = this.knex({ a: meta.get(Activity.name).tableName })
      .join({ u: meta.get(Unit.name).tableName }, this.u('id'), this.a('unit'))
      .whereNull(this.a('deletedAt'));
    return this.inScope(qb, scope);
  }

  /** Limits `qb` (units aliased `u`) to the scope's live units: not deleted, its statuses and provinces. */
  private inScope(qb: Knex.QueryBuilder, scope: DigestUnitScope): Knex.QueryBuilder {
    qb.whereNull(this.u('deletedAt')).whereIn(
      this.u('status'),
      scope.unitStatuses.length ? scope.unitStatuses : ['--'],
    );
    if (scope.provinces !== null) {
      qb.whereIn(this.u('province'), scope.provinces.length ? scope.provinces : ['--']);
    }
    return qb;
  }

  /** The unit's rejected activities awaiting correction, oldest review first (the unit's report). */
  async rejected(unitId: number): Promise<RejectedRow[]> {
    const meta = this.em.getMetadata();
    const rows: Record<string, unknown>[] = await this.knex({ a: meta.get(Activity.name).tableName })
      .join({ u: meta.get(Unit.name).tableName }, this.u('id'), this.a('unit'))
      .where(this.a('unit'), unitId)
      .where(this.a('status'), 'rejected')
      .whereNull(this.a('deletedAt'))
      .whereNull(this.u('deletedAt'))
      .select({
        id: this.a('id'),
        date: this.a('date'),
        requirement: this.a('requirement'),
        title: this.a('title'),
        rejectReason: this.a('rejectReason'),
      })
      .orderBy([
        { column: this.a('reviewedAt'), order: 'asc' },
        { column: this.a('id'), order: 'asc' },
      ]);
    return rows.map((r) => ({
      id: Number(r.id),
      date: isoDateOf(r.date),
      requirement: String(r.requirement),
      title: String(r.title),
      rejectReason: r.rejectReason == null ? null : String(r.rejectReason),
    }));
  }

  /**
   * The review queue of a scope: how many activities await review, and the `limit` oldest of them
   * (oldest submission first, as the review page).
   */
  async reviewQueue(scope: DigestUnitScope, limit: number): Promise<{ total: number; oldest: QueueRow[] }> {
    const [count] = await this.scoped(scope).where(this.a('status'), 'submitted').count({ n: '*' });
    const rows: Record<string, unknown>[] = await this.scoped(scope)
      .where(this.a('status'), 'submitted')
      .select({
        id: this.a('id'),
        unitName: this.u('name'),
        requirement: this.a('requirement'),
        title: this.a('title'),
        date: this.a('date'),
        submittedAt: this.a('submittedAt'),
      })
      .orderBy([
        { column: this.a('submittedAt'), order: 'asc' },
        { column: this.a('id'), order: 'asc' },
      ])
      .limit(limit);
    return {
      total: Number(count?.n ?? 0),
      oldest: rows.map((r) => ({
        id: Number(r.id),
        unitName: String(r.unitName),
        requirement: String(r.requirement),
        title: String(r.title),
        date: isoDateOf(r.date),
        submittedAt: dateOf(r.submittedAt),
      })),
    };
  }

  /**
   * Every non-draft activity of the scope's units dated from `from` to `to`, by unit, date and id, in
   * pages of `pageSize` plain rows. The scope's units are listed `unitBatch` at a time (by id); each
   * unit's rows are read in keyset order on (date, id), a range scan of the activities
   * (unit_id, date, id) index that reads exactly the rows it returns, wherever the page is. At most two
   * pages are held; stopping the iteration stops the reading.
   */
  async *activityPages(
    scope: DigestUnitScope,
    from: IsoDate,
    to: IsoDate,
    pageSize = PAGE,
    unitBatch = UNIT_BATCH,
  ): AsyncGenerator<DigestActivityRow[]> {
    const select: Record<string, string> = {
      id: this.a('id'),
      unitId: this.a('unit'),
      unitName: this.u('name'),
      province: this.u('province'),
      requirement: this.a('requirement'),
      date: this.a('date'),
      title: this.a('title'),
      status: this.a('status'),
      submittedAt: this.a('submittedAt'),
      reviewedAt: this.a('reviewedAt'),
      rejectReason: this.a('rejectReason'),
    };
    for (const f of ACTIVITY_CATEGORY_FIELDS) select[f] = this.a(f);
    let page: DigestActivityRow[] = [];
    for await (const unitIds of this.unitBatches(scope, unitBatch)) {
      for (const unitId of unitIds) {
        let after: { date: IsoDate; id: number } | null = null;
        for (;;) {
          const qb = this.periodQuery(scope, from, to).where(this.a('unit'), unitId).select(select);
          if (after) {
            qb.whereRaw('(??, ??) > (?, ?)', [this.a('date'), this.a('id'), after.date, after.id]);
          }
          const raw: Record<string, unknown>[] = await qb
            .orderBy([
              { column: this.a('date'), order: 'asc' },
              { column: this.a('id'), order: 'asc' },
            ])
            .limit(pageSize);
          for (const r of raw) {
            page.push({
              ...r,
              id: Number(r.id),
              unitId: Number(r.unitId),
              date: isoDateOf(r.date),
              submittedAt: dateOf(r.submittedAt),
              reviewedAt: dateOf(r.reviewedAt),
              participants: r.participants == null ? null : Number(r.participants),
            } as DigestActivityRow);
            if (page.length === pageSize) {
              yield page;
              page = [];
            }
          }
          if (raw.length < pageSize) break;
          const last = raw[raw.length - 1];
          after = { date: isoDateOf(last.date), id: Number(last.id) };
        }
      }
    }
    if (page.length) yield page;
  }

  /** The ids of the scope's live units in ascending batches of `size` (keyset on id). */
  private async *unitBatches(scope: DigestUnitScope, size: number): AsyncGenerator<number[]> {
    const meta = this.em.getMetadata();
    let after = 0;
    for (;;) {
      const qb = this.knex({ u: meta.get(Unit.name).tableName }).where(this.u('id'), '>', after);
      const rows: { id: unknown }[] = await this.inScope(qb, scope)
        .select({ id: this.u('id') })
        .orderBy(this.u('id'), 'asc')
        .limit(size);
      if (!rows.length) return;
      const ids = rows.map((r) => Number(r.id));
      yield ids;
      after = ids[ids.length - 1];
      if (ids.length < size) return;
    }
  }

  private periodQuery(scope: DigestUnitScope, from: IsoDate, to: IsoDate): Knex.QueryBuilder {
    return this.scoped(scope)
      .whereNot(this.a('status'), 'draft')
      .where(this.a('date'), '>=', from)
      .where(this.a('date'), '<=', to);
  }
}

/** A timestamp as read by either driver: a Date (PostgreSQL), epoch milliseconds (SQLite), or text. */
export function dateOf(v: unknown): Date | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) return new Date(Number(v));
  return new Date(String(v));
}

/** A calendar date as read by either driver: 'YYYY-MM-DD' text, or a Date of a `date` column. */
export function isoDateOf(v: unknown): IsoDate {
  if (v instanceof Date) {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${v.getFullYear()}-${p(v.getMonth() + 1)}-${p(v.getDate())}`;
  }
  return String(v).slice(0, 10);
}
