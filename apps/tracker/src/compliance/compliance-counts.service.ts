import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { cyclePeriod, periodsOf } from '@app/compliance';
import { Activity, ActivityMonthCount, ComplianceCount, ComplianceVersion, Unit } from '@app/db';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { ComplianceService } from './compliance.service';
import type { Window } from './compliance.sql';

/** One stored count row, as written to compliance_counts. */
export interface CountRow {
  requirement: string;
  periodStart: string;
  periodEnd: string;
  verified: number;
  pending: number;
}

export interface CountsMismatch {
  unitId: number;
  requirement: string;
  periodStart: string;
  stored: { verified: number; pending: number };
  recomputed: { verified: number; pending: number };
}

type Unitish = Pick<Unit, 'id' | 'program' | 'ruleSetVersion' | 'cycleStart' | 'cycleEnd'>;

/** Rows per INSERT, well under SQLite's bound-variable limit. */
const INSERT_CHUNK = 100;

/**
 * The compliance read model: per unit × requirement × period the verified and pending counts the engine
 * would count (compliance_counts), and activities per month (activity_month_counts) for the trend.
 * `refresh` rewrites one unit's rows from its activities (a few index lookups) and is called in the same
 * transaction as every change that can move a count: activity create, edit, submit, review, delete; a
 * unit's cycle or rule-set change; demo data. Statuses are not stored: pace moves with the calendar, so
 * they are derived from these counts at read time by the engine (cheap, and never stale).
 */
@Injectable()
export class ComplianceCounts {
  constructor(
    private readonly em: EntityManager,
    private readonly ruleSets: RuleSetsService,
    private readonly compliance: ComplianceService,
  ) {}

  /** Recomputes the unit's stored counts; `em` is the change's transaction (flushed before the call). */
  async refresh(em: EntityManager, unitId: number): Promise<void> {
    const tx = em as SqlEntityManager;
    const unit = await tx.findOne(Unit, unitId, {
      fields: ['program', 'ruleSetVersion', 'cycleStart', 'cycleEnd', 'province'],
    });
    const rows = unit ? await this.countsOf(unit, tx) : [];
    const months = unit ? await this.compliance.sql.unitActivityMonths(unitId, tx) : [];
    const k = this.compliance.sql.knex;
    const counts = tx.getMetadata().get(ComplianceCount.name);
    const perMonth = tx.getMetadata().get(ActivityMonthCount.name);
    const col = (meta: typeof counts, prop: string) => meta.properties[prop as 'unit'].fieldNames[0];
    await tx.execute(k(counts.tableName).where(col(counts, 'unit'), unitId).delete());
    await tx.execute(k(perMonth.tableName).where(col(perMonth, 'unit'), unitId).delete());
    const countRows = rows.map((r) => ({
      [col(counts, 'unit')]: unitId,
      [col(counts, 'requirement')]: r.requirement,
      [col(counts, 'periodStart')]: r.periodStart,
      [col(counts, 'periodEnd')]: r.periodEnd,
      [col(counts, 'verified')]: r.verified,
      [col(counts, 'pending')]: r.pending,
    }));
    const monthRows = months.map((m) => ({
      [col(perMonth, 'unit')]: unitId,
      [col(perMonth, 'month')]: m.month,
      [col(perMonth, 'requirement')]: m.requirement,
      [col(perMonth, 'status')]: m.status,
      [col(perMonth, 'n')]: m.n,
    }));
    for (const [table, list] of [
      [counts.tableName, countRows],
      [perMonth.tableName, monthRows],
    ] as const) {
      for (let i = 0; i < list.length; i += INSERT_CHUNK) {
        await tx.execute(k(table).insert(list.slice(i, i + INSERT_CHUNK)));
      }
    }
    if (unit) await this.touch(tx, [unit.province]);
  }

  /**
   * Raises the versions of these provinces inside the change's transaction, so the scope views every
   * instance keeps in memory for them are recomputed (ComplianceService). Call it for every change to
   * what those views show that refresh() does not already cover: units, their names, provinces,
   * statuses, targets.
   */
  async touch(em: EntityManager, provinces: Iterable<string | null | undefined>): Promise<void> {
    const list = [...new Set(provinces)].filter((p): p is string => !!p);
    if (!list.length) return;
    const meta = em.getMetadata().get(ComplianceVersion.name);
    await (em as SqlEntityManager).execute(
      this.compliance.sql.knex(meta.tableName).whereIn('province', list).increment('version', 1),
    );
  }

  /** What the engine counts for the unit in every period of its cycle (non-zero rows only). */
  async countsOf(unit: Unitish, tx?: SqlEntityManager): Promise<CountRow[]> {
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const cycle = { start: unit.cycleStart, end: unit.cycleEnd };
    const whole = cyclePeriod(cycle);
    const out: CountRow[] = [];
    for (const period of [...periodsOf(ruleSet, cycle), whole]) {
      const windows: Window[] = ruleSet.requirements
        .filter((req) => (req.period === 'cycle') === (period === whole))
        .map((req) => ({ req, start: period.start, end: period.end }));
      if (!windows.length) continue;
      const { counts } = await this.compliance.countWindows(unit.id, windows, tx);
      for (const [requirement, c] of Object.entries(counts)) {
        if (c.verified || c.pending) {
          out.push({ requirement, periodStart: period.start, periodEnd: period.end, ...c });
        }
      }
    }
    return out;
  }

  /**
   * Recomputes every unit's rows, a transaction per unit (on PostgreSQL four at a time; SQLite has one
   * connection); `progress(done, total)` after each.
   */
  async rebuild(
    progress?: (done: number, total: number) => void,
    only?: number[],
  ): Promise<{ units: number }> {
    const ids = only ?? (await this.unitIds());
    const lanes = this.compliance.sql.dialect === 'postgresql' ? 4 : 1;
    let next = 0;
    let done = 0;
    const lane = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        await this.em.fork().transactional((em) => this.refresh(em, id));
        progress?.(++done, ids.length);
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    return { units: ids.length };
  }

  /** Compares the stored counts of every unit with counts recomputed from its activities. */
  async check(progress?: (done: number, total: number) => void): Promise<CountsMismatch[]> {
    const ids = await this.unitIds();
    const out: CountsMismatch[] = [];
    const em = this.em.fork() as SqlEntityManager;
    let done = 0;
    for (const id of ids) {
      const unit = await em.findOneOrFail(Unit, id);
      const recomputed = await this.countsOf(unit);
      const stored = await em.find(ComplianceCount, { unit: id });
      const key = (r: { requirement: string; periodStart: string }) => `${r.requirement}|${r.periodStart}`;
      const byKey = new Map(stored.map((r) => [key(r), r]));
      const zero = { verified: 0, pending: 0 };
      for (const r of recomputed) {
        const s = byKey.get(key(r));
        byKey.delete(key(r));
        if (s?.verified !== r.verified || s?.pending !== r.pending) {
          out.push({
            unitId: id,
            requirement: r.requirement,
            periodStart: r.periodStart,
            stored: s ? { verified: s.verified, pending: s.pending } : zero,
            recomputed: { verified: r.verified, pending: r.pending },
          });
        }
      }
      for (const s of byKey.values()) {
        out.push({
          unitId: id,
          requirement: s.requirement,
          periodStart: s.periodStart,
          stored: { verified: s.verified, pending: s.pending },
          recomputed: zero,
        });
      }
      em.clear();
      progress?.(++done, ids.length);
    }
    return out;
  }

  /**
   * Live units with activities the engine counts (verified or submitted) but no stored counts at all: a
   * read model never filled, or a fill stopped part-way. (A unit whose counted activities all lie outside
   * its cycle is listed too; refreshing it is cheap.) One index probe per unit.
   */
  async uncountedUnits(): Promise<number[]> {
    const meta = this.em.getMetadata();
    const sql = this.compliance.sql;
    const k = sql.knex;
    const counts = meta.get(ComplianceCount.name);
    const countsUnit = `c.${counts.properties.unit.fieldNames[0]}`;
    const rows: { id: unknown }[] = await k({ u: meta.get(Unit.name).tableName })
      .select({ id: sql.u('id') })
      .whereNull(sql.u('deletedAt'))
      .whereExists(
        k({ a: meta.get(Activity.name).tableName })
          .select(k.raw('1'))
          .whereRaw('?? = ??', [sql.a('unit'), sql.u('id')])
          .whereIn(sql.a('status'), ['verified', 'submitted'])
          .whereNull(sql.a('deletedAt')),
      )
      .whereNotExists(
        k({ c: counts.tableName })
          .select(k.raw('1'))
          .whereRaw('?? = ??', [countsUnit, sql.u('id')]),
      )
      .orderBy(sql.u('id'));
    return rows.map((r) => Number(r.id));
  }

  private async unitIds(): Promise<number[]> {
    const units = await this.em
      .fork()
      .find(Unit, { deletedAt: null }, { fields: ['id'], orderBy: { id: 'asc' } });
    return units.map((u) => u.id);
  }
}
