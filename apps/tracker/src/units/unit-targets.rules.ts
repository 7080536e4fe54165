import {
  type Cycle,
  cyclePeriod,
  type IsoDate,
  type Period,
  periodsOf,
  type Requirement,
  type RuleSet,
} from '@app/compliance';

/** What a target is about: one requirement in the period starting on periodStart. */
export interface TargetKey {
  requirement: string;
  periodStart: IsoDate;
}

/** The unit's periods a target of `req` may start on: every annual period, or the whole cycle. */
export function targetPeriods(ruleSet: RuleSet, cycle: Cycle, req: Pick<Requirement, 'period'>): Period[] {
  return req.period === 'cycle' ? [cyclePeriod(cycle)] : periodsOf(ruleSet, cycle);
}

/** The period `target` is about, or undefined when its date starts none of the requirement's periods. */
export function targetPeriod(
  ruleSet: RuleSet,
  cycle: Cycle,
  req: Pick<Requirement, 'period'>,
  periodStart: IsoDate,
): Period | undefined {
  return targetPeriods(ruleSet, cycle, req).find((p) => p.start === periodStart);
}

export interface TargetProblem {
  /** Index of the target in the list checked. */
  index: number;
  field: 'requirement' | 'periodStart';
  rule: 'isRuleSetRequirement' | 'isPeriodStart' | 'unique';
  zh: string;
  en: string;
}

/**
 * The first problem of a list of targets for a unit with this rule set and cycle, in list order:
 * a requirement the rule set lacks, a date that starts none of the requirement's periods (for `annual`
 * requirements one of periodsOf(), for `cycle` requirements the cycle start), or a second target of
 * the same requirement and period. Null when every target fits.
 */
export function targetProblem(
  ruleSet: RuleSet,
  cycle: Cycle,
  targets: readonly TargetKey[],
): TargetProblem | null {
  const seen = new Map<string, number>();
  for (const [index, t] of targets.entries()) {
    const req = ruleSet.requirements.find((r) => r.key === t.requirement);
    if (!req) {
      return {
        index,
        field: 'requirement',
        rule: 'isRuleSetRequirement',
        zh: `本单位的考核规则（${ruleSet.name.zh}）没有该任务类别：${t.requirement}`,
        en: `${t.requirement} is not a requirement of the unit's rule set ${ruleSet.program} v${ruleSet.version}`,
      };
    }
    const starts = targetPeriods(ruleSet, cycle, req).map((p) => p.start);
    if (!starts.includes(t.periodStart)) {
      return {
        index,
        field: 'periodStart',
        rule: 'isPeriodStart',
        zh: `${t.periodStart} 不是本单位该任务考核期的第一天（可选：${starts.join('、')}）`,
        en: `${t.periodStart} does not start one of the unit's periods for ${t.requirement} (one of ${starts.join(', ')})`,
      };
    }
    const key = `${t.requirement}|${t.periodStart}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return {
        index,
        field: 'periodStart',
        rule: 'unique',
        zh: `与第 ${earlier + 1} 条目标重复（同一任务类别和考核期）`,
        en: `repeats targets.${earlier} (same requirement and periodStart)`,
      };
    }
    seen.set(key, index);
  }
  return null;
}

/** periodStart, then the requirement's place in the rule set (unknown keys last), then the key. */
export function sortTargets<T extends TargetKey>(ruleSet: RuleSet, targets: readonly T[]): T[] {
  const order = (key: string) => {
    const i = ruleSet.requirements.findIndex((r) => r.key === key);
    return i < 0 ? ruleSet.requirements.length : i;
  };
  return [...targets].sort(
    (a, b) =>
      (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0) ||
      order(a.requirement) - order(b.requirement) ||
      (a.requirement < b.requirement ? -1 : a.requirement > b.requirement ? 1 : 0),
  );
}
