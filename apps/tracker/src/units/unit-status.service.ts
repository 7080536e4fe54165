import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { LABELS, type UnitStatus } from '@app/compliance';
import { InvalidInputError } from '@app/common';
import { UnitStatusChange } from '@app/db';
import type { Principal } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ComplianceCounts } from '../compliance/compliance-counts.service';
import type { UnitStatusChangeDto } from './dto/unit-status.dto';
import { UnitsService } from './units.service';

/** The unit lifecycle: which status may follow which (SPEC §4 unit status). */
export const STATUS_TRANSITIONS: Record<UnitStatus, UnitStatus[]> = {
  active: ['under_evaluation'],
  under_evaluation: ['accepted', 'not_accepted'],
  accepted: ['revoked'],
  not_accepted: [],
  revoked: [],
};

/** Outcomes of an evaluation: they carry its result. */
const EVALUATED: UnitStatus[] = ['accepted', 'not_accepted'];

export interface UnitStatusChangeView {
  id: number;
  fromStatus: UnitStatus;
  toStatus: UnitStatus;
  date: string;
  reason: string;
  score: number | null;
  conclusion: string | null;
  evaluator: string | null;
  actor: string | null;
  createdAt: string;
}

/**
 * Moves a unit along its lifecycle (active → under evaluation → accepted | not accepted; accepted →
 * revoked): supervisors of its province and administrators, each step with a date, a reason and for an
 * evaluation's outcome its result, kept as history and audited. Accepted and revoked units get no
 * monthly mails and no reminders (REPORTED_UNIT_STATUSES).
 */
@Injectable()
export class UnitStatusService {
  constructor(
    private readonly em: EntityManager,
    private readonly units: UnitsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly counts: ComplianceCounts,
  ) {}

  async history(p: Principal, unitId: number) {
    const unit = await this.units.findVisible(p, unitId);
    const rows = await this.em.find(
      UnitStatusChange,
      { unit: unit.id },
      { orderBy: { createdAt: 'desc', id: 'desc' } },
    );
    return {
      unitId: unit.id,
      status: unit.status,
      next: STATUS_TRANSITIONS[unit.status as UnitStatus] ?? [],
      history: rows.map(viewOf),
    };
  }

  async change(p: Principal, unitId: number, dto: UnitStatusChangeDto) {
    const unit = await this.units.findVisible(p, unitId);
    const from = unit.status as UnitStatus;
    const allowed = STATUS_TRANSITIONS[from] ?? [];
    if (!allowed.includes(dto.status)) {
      const label = (s: UnitStatus) => LABELS.unitStatus[s];
      const list = allowed.map((s) => label(s).zh).join('、') || '无';
      throw new InvalidInputError(
        'status',
        'transition',
        `单位状态不能从「${label(from).zh}」变为「${label(dto.status).zh}」（可变为：${list}）`,
        `A unit's status cannot change from ${from} to ${dto.status} (allowed: ${allowed.join(', ') || 'none'})`,
      );
    }
    const today = this.clock.today();
    if (dto.date > today) {
      throw new InvalidInputError(
        'date',
        'notFuture',
        `日期不能晚于今天（${today}）`,
        `date must not be after today (${today})`,
      );
    }
    if (EVALUATED.includes(dto.status)) {
      for (const field of ['score', 'conclusion', 'evaluator'] as const) {
        const v = dto[field];
        if (v === undefined || v === null || v === '') {
          throw new InvalidInputError(
            field,
            'requiredForEvaluation',
            `评估结论（合格或不合格）须填写评估结果：${{ score: '得分', conclusion: '结论', evaluator: '评估人' }[field]}`,
            `${field} is required when the evaluation concludes (accepted or not accepted)`,
          );
        }
      }
    }
    const evaluated = EVALUATED.includes(dto.status);
    return this.em.transactional(async (em) => {
      unit.status = dto.status;
      const row = em.create(UnitStatusChange, {
        unit,
        fromStatus: from,
        toStatus: dto.status,
        date: dto.date,
        reason: dto.reason,
        score: evaluated ? dto.score : null,
        conclusion: evaluated ? dto.conclusion : null,
        evaluator: evaluated ? dto.evaluator : null,
        actorId: p.id,
        actorEmail: p.email,
      });
      await em.flush();
      this.audit.record(p, 'status', 'unit', unit.id, {
        status: [from, dto.status],
        date: dto.date,
        reason: dto.reason,
        ...(evaluated ? { score: dto.score, conclusion: dto.conclusion, evaluator: dto.evaluator } : {}),
      });
      await em.flush();
      await this.counts.touch(em, [unit.province]);
      return viewOf(row);
    });
  }
}

function viewOf(r: UnitStatusChange): UnitStatusChangeView {
  return {
    id: r.id,
    fromStatus: r.fromStatus as UnitStatus,
    toStatus: r.toStatus as UnitStatus,
    date: r.date,
    reason: r.reason,
    score: r.score ?? null,
    conclusion: r.conclusion ?? null,
    evaluator: r.evaluator ?? null,
    actor: r.actorEmail ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}
