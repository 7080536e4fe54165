import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { periodContaining } from '@app/compliance';
import { DomainError } from '@app/common';
import { PeriodClose, type Unit } from '@app/db';
import { RuleSetsService } from '../rule-sets/rule-sets.service';

/** A change to a closed period's activities: 409 naming the field and the rule `periodClosed`. */
export class PeriodClosedError extends DomainError {
  readonly status = 409;
  constructor(field: string, period: { start: string; end: string }) {
    super(
      `${period.start} 至 ${period.end} 的年度已关闭，其活动不能再新增、修改、删除、提交、上传材料或审核（管理员可重新开放）`,
      `The period ${period.start}..${period.end} is closed: its activities can no longer be created, edited, deleted, submitted, given evidence or reviewed (an administrator may reopen it)`,
      { field, rule: 'periodClosed', periodStart: period.start, periodEnd: period.end },
    );
  }
}

type Unitish = Pick<Unit, 'id' | 'program' | 'ruleSetVersion' | 'cycleStart' | 'cycleEnd'>;

/** Whether an activity date lies in a closed period of its unit (the year-end close). */
@Injectable()
export class PeriodLocks {
  constructor(private readonly ruleSets: RuleSetsService) {}

  /** Throws PeriodClosedError when `date`'s annual period of the unit is closed. */
  async assertOpen(em: EntityManager, unit: Unitish, date: string, field = 'date'): Promise<void> {
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const period = periodContaining(ruleSet, { start: unit.cycleStart, end: unit.cycleEnd }, date);
    const closed = await em.count(PeriodClose, {
      unit: unit.id,
      periodStart: period.start,
      closedAt: { $ne: null },
    });
    if (closed) throw new PeriodClosedError(field, period);
  }
}
