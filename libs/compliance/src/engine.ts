import { assertIsoDate, dayNumber } from './dates';
import { minimumFor, paceFor, periodContaining, requirementPeriod } from './periods';
import type {
  ActivityFact,
  Cycle,
  IsoDate,
  Period,
  Requirement,
  RequirementCounts,
  RequirementResult,
  RequirementStatus,
  RuleSet,
  UnitCompliance,
  UnitTarget,
} from './types';
import { REQUIREMENT_STATUSES } from './vocab';

/** True when, for some alternative of the requirement's filter, every condition holds (SPEC §3 v2). */
export function qualifies(
  req: Pick<Requirement, 'qualifies'>,
  fact: Pick<ActivityFact, 'attributes'>,
): boolean {
  return req.qualifies.some((alternative) =>
    alternative.every((c) => {
      const value = fact.attributes[c.field];
      return value != null && c.in.includes(value);
    }),
  );
}

/** Facts of this requirement, dated inside the period and qualifying, whatever their status. */
function countable(req: Requirement, period: Pick<Period, 'start' | 'end'>, facts: readonly ActivityFact[]) {
  return facts.filter(
    (f) => f.requirement === req.key && f.date >= period.start && f.date <= period.end && qualifies(req, f),
  );
}

/** The identity a distinctBy requirement counts; facts without one cannot be counted. */
function identity(req: Requirement, fact: ActivityFact): string {
  return (fact.attributes[req.distinctBy as string] ?? '').trim();
}

/**
 * Verified and pending (submitted) counts of one requirement in one period. Drafts and rejected
 * activities never count. With distinctBy, distinct identities are counted, and a person already
 * verified is not pending again.
 */
export function countFacts(
  req: Requirement,
  period: Pick<Period, 'start' | 'end'>,
  facts: readonly ActivityFact[],
): RequirementCounts {
  const relevant = countable(req, period, facts);
  const verified = relevant.filter((f) => f.status === 'verified');
  const submitted = relevant.filter((f) => f.status === 'submitted');
  if (!req.distinctBy) return { verified: verified.length, pending: submitted.length };

  const verifiedKeys = new Set(verified.map((f) => identity(req, f)).filter(Boolean));
  const pendingKeys = new Set(
    submitted.map((f) => identity(req, f)).filter((k) => k && !verifiedKeys.has(k)),
  );
  return { verified: verifiedKeys.size, pending: pendingKeys.size };
}

/**
 * Dates of the verified activities countFacts() counts, sorted; for distinctBy, each identity's
 * first date. Feed these to cumulativeByMonth() so the chart ends on the same number as the table.
 */
export function verifiedDates(
  req: Requirement,
  period: Pick<Period, 'start' | 'end'>,
  facts: readonly ActivityFact[],
): IsoDate[] {
  const verified = countable(req, period, facts).filter((f) => f.status === 'verified');
  if (!req.distinctBy) return verified.map((f) => f.date).sort();
  const first = new Map<string, IsoDate>();
  for (const f of verified) {
    const key = identity(req, f);
    const seen = first.get(key);
    if (key && (!seen || f.date < seen)) first.set(key, f.date);
  }
  return [...first.values()].sort();
}

/** SPEC §3: the first status that applies. */
export function requirementStatus(input: {
  minimum: number;
  verified: number;
  pending: number;
  pace: number;
  /** today is after the period's last day */
  ended: boolean;
}): RequirementStatus {
  if (input.verified >= input.minimum) return 'met';
  if (input.ended) return 'failed';
  if (input.verified >= input.pace) return 'on_track';
  if (input.verified + input.pending >= input.pace) return 'at_risk';
  return 'shortfall';
}

/** The worst status (failed < shortfall < at_risk < on_track < met); 'met' for an empty list. */
export function worstStatus(statuses: Iterable<RequirementStatus>): RequirementStatus {
  let worst = REQUIREMENT_STATUSES.length - 1;
  for (const s of statuses) worst = Math.min(worst, REQUIREMENT_STATUSES.indexOf(s));
  return REQUIREMENT_STATUSES[worst];
}

/** The target replacing the rule set's minimum of `req` in `period`, if the unit has one. */
export function targetFor(
  targets: readonly UnitTarget[],
  req: Pick<Requirement, 'key'>,
  period: Pick<Period, 'start'>,
): UnitTarget | undefined {
  return targets.find((t) => t.requirement === req.key && t.periodStart === period.start);
}

/**
 * A unit's standing from counts (e.g. grouped SQL). `at` picks the annual period (default today);
 * `today` drives pace and failure. Counts missing for a requirement are zero; each count must be
 * for requirementPeriod(req, ruleSet, cycle, at). `targets` replace the rule set's minimums (SPEC §3 v2).
 */
export function evaluateCounts(
  ruleSet: RuleSet,
  cycle: Cycle,
  counts: Readonly<Record<string, RequirementCounts | undefined>>,
  today: IsoDate,
  at: IsoDate = today,
  targets: readonly UnitTarget[] = [],
): UnitCompliance {
  assertIsoDate(today, 'today');
  const requirements = ruleSet.requirements.map((req): RequirementResult => {
    const period = requirementPeriod(req, ruleSet, cycle, at);
    const ruleMinimum = minimumFor(req, ruleSet, period, cycle);
    const target = targetFor(targets, req, period);
    const minimum = target ? target.minimum : ruleMinimum;
    return {
      key: req.key,
      label: req.label,
      shortLabel: req.shortLabel,
      unit: req.unit,
      period,
      minimum,
      ruleMinimum,
      targeted: !!target,
      verified: 0,
      pending: 0,
      pace: paceFor(minimum, period, today),
      remaining: 0,
      remainingPending: 0,
      daysLeft: Math.max(0, dayNumber(period.end) - dayNumber(today)),
      status: 'met',
    };
  });
  const template: UnitCompliance = {
    today,
    period: periodContaining(ruleSet, cycle, at),
    requirements,
    overall: 'met',
  };
  return withCounts(template, counts);
}

/**
 * The standing of `template` (same rule set, cycle, targets, today and at: periods, minimums and pace
 * depend only on those) with other counts: counts, still needed and statuses redone. Lets a scope of
 * thousands of units work out periods once per group instead of once per unit.
 */
export function withCounts(
  template: UnitCompliance,
  counts: Readonly<Record<string, RequirementCounts | undefined>>,
): UnitCompliance {
  const requirements = template.requirements.map((r): RequirementResult => {
    const { verified, pending } = counts[r.key] ?? { verified: 0, pending: 0 };
    const remaining = Math.max(0, r.minimum - verified);
    const ended = template.today > r.period.end;
    return {
      ...r,
      verified,
      pending,
      remaining,
      remainingPending: Math.min(pending, remaining),
      status: requirementStatus({ minimum: r.minimum, verified, pending, pace: r.pace, ended }),
    };
  });
  return { ...template, requirements, overall: worstStatus(requirements.map((r) => r.status)) };
}

/** A unit's standing from its activities: countFacts() per requirement, then evaluateCounts(). */
export function evaluate(
  ruleSet: RuleSet,
  cycle: Cycle,
  facts: readonly ActivityFact[],
  today: IsoDate,
  at: IsoDate = today,
  targets: readonly UnitTarget[] = [],
): UnitCompliance {
  const counts: Record<string, RequirementCounts> = {};
  for (const req of ruleSet.requirements) {
    counts[req.key] = countFacts(req, requirementPeriod(req, ruleSet, cycle, at), facts);
  }
  return evaluateCounts(ruleSet, cycle, counts, today, at, targets);
}
