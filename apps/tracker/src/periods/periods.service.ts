import { Injectable } from '@nestjs/common';
import { EntityManager, RequestContext, UniqueConstraintViolationException } from '@mikro-orm/core';
import { addDays, isIsoDate, type IsoDate, type Period, periodsOf } from '@app/compliance';
import { ConflictError, InvalidInputError, NotFoundError } from '@app/common';
import { AuditLog, PeriodClose, ProgramSetting, Unit } from '@app/db';
import { type Principal, ScopePolicy } from '@app/auth';
import { Clock } from '../common/clock';
import { ComplianceCounts } from '../compliance/compliance-counts.service';
import { ComplianceService } from '../compliance/compliance.service';
import { RuleSetsService } from '../rule-sets/rule-sets.service';

/** Days after a period's last day before it may be closed, unless the program sets its own. */
export const DEFAULT_CLOSE_GRACE_DAYS = 31;

type Actor = Pick<Principal, 'id' | 'email'> | null;

export interface UnitPeriodView {
  start: IsoDate;
  end: IsoDate;
  /** First day the period may be closed: its last day + the program's grace days + 1. */
  closableFrom: IsoDate;
  closable: boolean;
  closed: boolean;
  closedAt: string | null;
  closedBy: string | null;
  reopenedAt: string | null;
  reopenedBy: string | null;
  reopenReason: string | null;
}

export interface UnitPeriodsView {
  unitId: number;
  graceDays: number;
  periods: UnitPeriodView[];
}

export interface BulkCloseResult {
  province: string;
  dryRun: boolean;
  /** Periods closed (or, dry run, that would be). */
  closed: { unitId: number; unitName: string; periodStart: IsoDate; periodEnd: IsoDate }[];
  /** Ended periods (past grace) already closed before. */
  alreadyClosed: number;
  units: number;
}

/**
 * The year-end close (SPEC §3 periods): once a unit's annual period has ended and the program's grace days
 * (for late reviews) have passed, a supervisor in scope or an administrator closes it. Its activities are
 * then locked (PeriodLocks) and its figures are the snapshot stored here, which every view of the period
 * (unit page, compliance API, scope views, mails, exports) shows from then on. An administrator may reopen
 * it with a reason. Every close and reopen is audited.
 */
@Injectable()
export class PeriodsService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly ruleSets: RuleSetsService,
    private readonly compliance: ComplianceService,
    private readonly counts: ComplianceCounts,
  ) {}

  /** A program's grace days (its setting, else DEFAULT_CLOSE_GRACE_DAYS); 404 for an unknown program. */
  async graceOf(program: string): Promise<{ program: string; days: number; overridden: boolean }> {
    this.ruleSets.latest(program);
    const row = await this.em.findOne(ProgramSetting, { program });
    const days = row?.closeGraceDays;
    return { program, days: days ?? DEFAULT_CLOSE_GRACE_DAYS, overridden: days != null };
  }

  /** Sets (null: drops) a program's grace days; audited. */
  async setGrace(actor: Actor, program: string, days: number | null) {
    const before = await this.graceOf(program);
    const row = await this.em.findOne(ProgramSetting, { program });
    if (row) {
      row.closeGraceDays = days;
      row.updatedAt = new Date();
    } else if (days !== null) {
      this.em.persist(this.em.create(ProgramSetting, { program, reminderDays: null, closeGraceDays: days }));
    }
    this.auditRow(actor, 'close_grace_days', 'program', program, {
      closeGraceDays: [before.days, days ?? DEFAULT_CLOSE_GRACE_DAYS],
      overridden: [before.overridden, days !== null],
    });
    await this.em.flush();
    return this.graceOf(program);
  }

  /** The unit's annual periods with their closed state (404 outside the caller's scope). */
  async list(p: Principal, unitId: number): Promise<UnitPeriodsView> {
    const unit = await this.visible(p, unitId);
    return this.periodsView(unit);
  }

  /** Closes one ended period of a unit in the caller's scope (past its grace days). */
  async close(p: Principal, unitId: number, period: string): Promise<UnitPeriodView> {
    const unit = await this.visible(p, unitId);
    const target = await this.periodOf(unit, period);
    await this.closeOne(p, unit, target.period, target.graceDays);
    return this.periodView(unit, target.period.start);
  }

  /** Reopens a closed period (administrators), with a reason; its live figures show again. */
  async reopen(p: Principal, unitId: number, period: string, reason: string): Promise<UnitPeriodView> {
    const unit = await this.visible(p, unitId);
    const { period: found } = await this.periodOf(unit, period);
    await this.em.transactional(async (em) => {
      const row = await em.findOne(PeriodClose, { unit: unit.id, periodStart: found.start });
      if (!row?.closedAt) {
        throw new ConflictError(
          `${found.start} 至 ${found.end} 的年度未关闭`,
          `The period ${found.start}..${found.end} is not closed`,
          { field: 'period', rule: 'notClosed' },
        );
      }
      const closedAt = row.closedAt;
      row.closedAt = null;
      row.snapshot = null;
      row.reopenedAt = new Date();
      row.reopenedByEmail = p.email;
      row.reopenReason = reason;
      this.auditRow(p, 'reopen', 'period', `${unit.id}:${found.start}`, {
        unitId: unit.id,
        periodStart: found.start,
        periodEnd: found.end,
        reason,
        closedAt: closedAt.toISOString(),
      });
      await em.flush();
      await this.counts.touch(em, [unit.province]);
    });
    return this.periodView(unit, found.start);
  }

  /**
   * Closes every ended (past grace) and still open period of the province's live units; `actor` null for
   * the CLI. Each period is its own transaction; `progress(done, total)` after each unit.
   */
  closeProvince(
    actor: Principal | null,
    province: string,
    options: { dryRun?: boolean; progress?: (done: number, total: number) => void } = {},
  ): Promise<BulkCloseResult> {
    // Its own context: the CLI calls it outside any request.
    return RequestContext.create(this.em, () => this.closeAll(actor, province, options));
  }

  private async closeAll(
    actor: Principal | null,
    province: string,
    options: { dryRun?: boolean; progress?: (done: number, total: number) => void },
  ): Promise<BulkCloseResult> {
    if (actor && ScopePolicy.provinces(actor) !== null && !ScopePolicy.provinces(actor)?.includes(province)) {
      throw new NotFoundError(`province ${province}`);
    }
    const units = await this.em.fork().find(Unit, { province, deletedAt: null }, { orderBy: { id: 'asc' } });
    const out: BulkCloseResult = {
      province,
      dryRun: !!options.dryRun,
      closed: [],
      alreadyClosed: 0,
      units: 0,
    };
    let done = 0;
    for (const unit of units) {
      const view = await this.periodsView(unit);
      for (const per of view.periods) {
        if (!per.closable) continue;
        if (per.closed) {
          out.alreadyClosed++;
          continue;
        }
        if (!options.dryRun) {
          await this.closeOne(actor, unit, { start: per.start, end: per.end }, view.graceDays);
        }
        out.closed.push({ unitId: unit.id, unitName: unit.name, periodStart: per.start, periodEnd: per.end });
      }
      out.units++;
      options.progress?.(++done, units.length);
    }
    return out;
  }

  private async closeOne(
    actor: Actor,
    unit: Unit,
    period: Pick<Period, 'start' | 'end'>,
    graceDays: number,
  ): Promise<void> {
    const today = this.clock.today();
    const closableFrom = addDays(period.end, graceDays + 1);
    if (today < closableFrom) {
      throw new InvalidInputError(
        'period',
        'graceNotOver',
        `${period.start} 至 ${period.end} 的年度须在结束后 ${graceDays} 天（${closableFrom} 起）才能关闭`,
        `The period ${period.start}..${period.end} can be closed from ${closableFrom} (${graceDays} days after its end, for late reviews)`,
      );
    }
    // The figures of the moment, from the activities (read before the transaction: on SQLite its one
    // connection is the transaction's).
    const snapshot = await this.compliance.snapshotOf(unit, period.start, today);
    try {
      await this.em.fork().transactional(async (em) => {
        let row = await em.findOne(PeriodClose, { unit: unit.id, periodStart: period.start });
        if (row?.closedAt) {
          throw new ConflictError(
            `${period.start} 至 ${period.end} 的年度已关闭`,
            `The period ${period.start}..${period.end} is already closed`,
            { field: 'period', rule: 'alreadyClosed' },
          );
        }
        if (!row) {
          row = em.create(PeriodClose, {
            unit: em.getReference(Unit, unit.id),
            periodStart: period.start,
            periodEnd: period.end,
          });
        }
        row.closedAt = new Date();
        row.closedById = actor?.id ?? null;
        row.closedByEmail = actor?.email ?? null;
        row.snapshot = snapshot as unknown as Record<string, unknown>;
        em.persist(
          em.create(AuditLog, {
            at: new Date(),
            actorId: actor?.id ?? null,
            actorEmail: actor?.email ?? null,
            action: 'close',
            entity: 'period',
            entityId: `${unit.id}:${period.start}`,
            changes: {
              unitId: unit.id,
              periodStart: period.start,
              periodEnd: period.end,
              overall: snapshot.overall,
              verified: Object.fromEntries(snapshot.requirements.map((r) => [r.key, r.verified])),
            },
          }),
        );
        await em.flush();
        await this.counts.touch(em, [unit.province]);
      });
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) {
        throw new ConflictError(
          `${period.start} 至 ${period.end} 的年度已关闭`,
          `The period ${period.start}..${period.end} is already closed`,
          { field: 'period', rule: 'alreadyClosed' },
        );
      }
      throw e;
    }
  }

  private async visible(p: Principal, unitId: number): Promise<Unit> {
    const unit = await this.em.findOne(Unit, { $and: [{ id: unitId }, ScopePolicy.units(p)] });
    if (!unit) throw new NotFoundError(`unit ${unitId}`);
    return unit;
  }

  /** `period` as the API names it: a period's first day (YYYY-MM-DD) or the year it starts in (YYYY). */
  private async periodOf(unit: Unit, period: string): Promise<{ period: Period; graceDays: number }> {
    const periods = periodsOf(this.ruleSets.get(unit.program, unit.ruleSetVersion), cycleOf(unit));
    const byYear = /^\d{4}$/.test(period);
    if (!byYear && !isIsoDate(period)) {
      throw new InvalidInputError(
        'period',
        'isPeriod',
        'period 必须是年度的第一天 YYYY-MM-DD 或年份 YYYY',
        'period must be the first day of a period (YYYY-MM-DD) or its year (YYYY)',
      );
    }
    const found = periods.find((x) => (byYear ? x.start.startsWith(`${period}-`) : x.start === period));
    if (!found) {
      const list = periods.map((x) => x.start).join(', ');
      throw new InvalidInputError(
        'period',
        'unitPeriod',
        `不是本单位的年度，可选：${list}`,
        `period is not one of the unit's periods: ${list}`,
      );
    }
    return { period: found, graceDays: (await this.graceOf(unit.program)).days };
  }

  private async periodsView(unit: Unit): Promise<UnitPeriodsView> {
    const graceDays = (await this.graceOf(unit.program)).days;
    const rows = await this.em.fork().find(
      PeriodClose,
      { unit: unit.id },
      {
        fields: ['periodStart', 'closedAt', 'closedByEmail', 'reopenedAt', 'reopenedByEmail', 'reopenReason'],
      },
    );
    const byStart = new Map(rows.map((r) => [r.periodStart, r]));
    const today = this.clock.today();
    const periods = periodsOf(this.ruleSets.get(unit.program, unit.ruleSetVersion), cycleOf(unit));
    return {
      unitId: unit.id,
      graceDays,
      periods: periods.map((x) => {
        const r = byStart.get(x.start);
        const closableFrom = addDays(x.end, graceDays + 1);
        return {
          start: x.start,
          end: x.end,
          closableFrom,
          closable: today >= closableFrom,
          closed: !!r?.closedAt,
          closedAt: r?.closedAt?.toISOString() ?? null,
          closedBy: r?.closedAt ? (r.closedByEmail ?? null) : null,
          reopenedAt: r?.reopenedAt?.toISOString() ?? null,
          reopenedBy: r?.reopenedByEmail ?? null,
          reopenReason: r?.reopenReason ?? null,
        };
      }),
    };
  }

  private async periodView(unit: Unit, start: string): Promise<UnitPeriodView> {
    const view = await this.periodsView(unit);
    return view.periods.find((x) => x.start === start) as UnitPeriodView;
  }

  private auditRow(actor: Actor, action: string, entity: string, entityId: string, changes: object) {
    this.em.persist(
      this.em.create(AuditLog, {
        at: new Date(),
        actorId: actor?.id ?? null,
        actorEmail: actor?.email ?? null,
        action,
        entity,
        entityId,
        changes: changes as Record<string, unknown>,
      }),
    );
  }
}

function cycleOf(unit: Pick<Unit, 'cycleStart' | 'cycleEnd'>) {
  return { start: unit.cycleStart, end: unit.cycleEnd };
}
