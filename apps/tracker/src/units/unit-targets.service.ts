import { Injectable } from '@nestjs/common';
import { EntityManager, LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  type IsoDate,
  type LocalizedText,
  minimumFor,
  type Period,
  periodsOf,
  type RuleSet,
} from '@app/compliance';
import { ConflictError, Env, InvalidInputError } from '@app/common';
import { dialectOf, Unit, UnitTarget } from '@app/db';
import { Access, type Principal } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { ComplianceCounts } from '../compliance/compliance-counts.service';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import type { UnitTargetDto, UnitTargetsDto } from './dto/unit-targets.dto';
import { sortTargets, targetPeriod, targetProblem } from './unit-targets.rules';
import { UnitsService } from './units.service';

/** A target as the API takes and gives it. */
export interface UnitTargetView {
  requirement: string;
  periodStart: IsoDate;
  minimum: number;
  reason: string;
}

/** A target as the unit page shows it: with its requirement's short label, its period and the program's minimum. */
export interface UnitTargetDetail extends UnitTargetView {
  label: LocalizedText;
  /** Undefined only for a target no period of the unit starts on any more (refused on every change). */
  period?: Period;
  /** The rule set's (pro-rated) minimum for that period. */
  ruleMinimum?: number;
}

const keyOf = (t: { requirement: string; periodStart: string }) => `${t.requirement} ${t.periodStart}`;

/**
 * SPEC §3 v2 "Unit targets": per requirement and period, a minimum from the unit's task book replacing
 * its rule set's. Everyone who sees the unit sees its targets; administrators and the unit's supervisors
 * change them, always as the unit's whole set, in one transaction, audited with the reasons.
 */
@Injectable()
export class UnitTargetsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly ruleSets: RuleSetsService,
    private readonly units: UnitsService,
    private readonly env: Env,
    private readonly counts: ComplianceCounts,
  ) {}

  /** The unit's targets (404 outside the caller's scope), by periodStart then rule-set order. */
  async list(p: Principal, unitId: number): Promise<{ targets: UnitTargetView[] }> {
    const unit = await this.units.findVisible(p, unitId);
    return { targets: await this.stored(unit) };
  }

  /** The targets of a unit already in the caller's scope, as the unit page lists them. */
  async details(
    unit: Pick<Unit, 'id' | 'program' | 'ruleSetVersion' | 'cycleStart' | 'cycleEnd'>,
  ): Promise<UnitTargetDetail[]> {
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const cycle = { start: unit.cycleStart, end: unit.cycleEnd };
    return (await this.stored(unit)).map((t) => {
      const req = ruleSet.requirements.find((r) => r.key === t.requirement);
      const period = req && targetPeriod(ruleSet, cycle, req, t.periodStart);
      return {
        ...t,
        label: req?.shortLabel ?? { zh: t.requirement, en: t.requirement },
        period,
        ruleMinimum: req && period ? minimumFor(req, ruleSet, period, cycle) : undefined,
      };
    });
  }

  /** What a target of this unit may be about: its rule set's requirements, its periods, its whole cycle. */
  choices(unit: Pick<Unit, 'program' | 'ruleSetVersion' | 'cycleStart' | 'cycleEnd'>) {
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const cycle = { start: unit.cycleStart, end: unit.cycleEnd };
    return {
      requirements: ruleSet.requirements.map((r) => ({
        key: r.key,
        label: r.shortLabel,
        wholeCycle: r.period === 'cycle',
      })),
      periods: periodsOf(ruleSet, cycle).map((p) => ({ start: p.start, end: p.end })),
      /** Set when some requirement is judged over the whole cycle (its targets start on the cycle start). */
      cycle: ruleSet.requirements.some((r) => r.period === 'cycle') ? cycle : null,
    };
  }

  /**
   * Replaces the unit's whole set (admins, supervisors of its province). Every target is checked against
   * the unit's own rule set and periods before anything is written; a refusal names the field
   * (`targets.2.periodStart`) and changes nothing.
   */
  async replace(p: Principal, unitId: number, dto: UnitTargetsDto): Promise<{ targets: UnitTargetView[] }> {
    Access.assert(p, 'units:setTargets');
    const unit = await this.units.findVisible(p, unitId);
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const next: UnitTargetView[] = dto.targets.map((t) => ({
      requirement: t.requirement,
      periodStart: t.periodStart,
      minimum: t.minimum,
      reason: t.reason,
    }));
    const problem = targetProblem(ruleSet, { start: unit.cycleStart, end: unit.cycleEnd }, next);
    if (problem) {
      const field = `targets.${problem.index}.${problem.field}`;
      throw new InvalidInputError(field, problem.rule, `${field}：${problem.zh}`, `${field}: ${problem.en}`);
    }
    try {
      await this.em.transactional(async (em) => {
        // Two changes of one unit's set at once would each start from the old set: take them in turn.
        if (dialectOf(this.env.DATABASE_URL) === 'postgresql') {
          await em.findOneOrFail(Unit, { id: unit.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        }
        const existing = await em.find(UnitTarget, { unit: unit.id });
        const byKey = new Map(existing.map((e) => [keyOf(e), e]));
        const wanted = new Map(next.map((t) => [keyOf(t), t]));
        const changes: Record<string, [unknown, unknown]> = {};
        for (const [key, row] of byKey) {
          const t = wanted.get(key);
          if (!t) {
            changes[key] = [{ minimum: row.minimum, reason: row.reason }, null];
            em.remove(row);
          } else if (t.minimum !== row.minimum || t.reason !== row.reason) {
            changes[key] = [
              { minimum: row.minimum, reason: row.reason },
              { minimum: t.minimum, reason: t.reason },
            ];
            row.minimum = t.minimum;
            row.reason = t.reason;
          }
        }
        for (const [key, t] of wanted) {
          if (byKey.has(key)) continue;
          changes[key] = [null, { minimum: t.minimum, reason: t.reason }];
          em.create(UnitTarget, { unit: unit.id, ...t });
        }
        if (Object.keys(changes).length) this.audit.record(p, 'targets.update', 'unit', unit.id, changes);
        await em.flush();
        if (Object.keys(changes).length) await this.counts.touch(em, [unit.province]);
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new ConflictError(
          '该单位的任务书目标刚被他人修改，请刷新后重试',
          "The unit's targets were changed meanwhile; reload and try again",
          { field: 'targets', rule: 'unique' },
        );
      }
      throw error;
    }
    return { targets: sortTargets(ruleSet, next) };
  }

  /** Sets (adds or replaces) one target of the unit, keeping the others: what the unit page's form does. */
  async setOne(p: Principal, unitId: number, target: UnitTargetDto): Promise<void> {
    const { targets } = await this.list(p, unitId);
    const others = targets.filter((t) => keyOf(t) !== keyOf(target));
    await this.replace(p, unitId, { targets: [...others, target] });
  }

  /** Removes one target of the unit (nothing happens when it has none for that requirement and period). */
  async removeOne(p: Principal, unitId: number, key: { requirement: string; periodStart: string }) {
    const { targets } = await this.list(p, unitId);
    await this.replace(p, unitId, { targets: targets.filter((t) => keyOf(t) !== keyOf(key)) });
  }

  private async stored(unit: Pick<Unit, 'id' | 'program' | 'ruleSetVersion'>): Promise<UnitTargetView[]> {
    const ruleSet: RuleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const rows = await this.em.find(UnitTarget, { unit: unit.id });
    return sortTargets(
      ruleSet,
      rows.map((r) => ({
        requirement: r.requirement,
        periodStart: r.periodStart,
        minimum: r.minimum,
        reason: r.reason,
      })),
    );
  }
}
