import { addDays, addMonths, assertIsoDate, daysInclusive, maxDate, minDate, monthsTouched } from './dates';
import type { Cycle, IsoDate, Period, Requirement, RuleSet } from './types';

/** Throws a RangeError unless the cycle is two real dates in order. */
export function assertCycle(cycle: Cycle): void {
  assertIsoDate(cycle?.start, 'cycle.start');
  assertIsoDate(cycle.end, 'cycle.end');
  if (cycle.end < cycle.start) {
    throw new RangeError(`cycle.end (${cycle.end}) must not be before cycle.start (${cycle.start})`);
  }
}

/**
 * The annual periods of a cycle, in order.
 * calendar_year: calendar years clipped to the cycle (2024-07-01..2026-06-30 gives three periods).
 * project_year: 12-month periods from the cycle start, the last one clipped to the cycle end.
 */
export function periodsOf(ruleSet: Pick<RuleSet, 'periodMode'>, cycle: Cycle): Period[] {
  assertCycle(cycle);
  const periods: Period[] = [];
  if (ruleSet.periodMode === 'calendar_year') {
    const last = Number(cycle.end.slice(0, 4));
    for (let year = Number(cycle.start.slice(0, 4)); year <= last; year++) {
      const start = maxDate(cycle.start, `${year}-01-01`);
      const end = minDate(cycle.end, `${year}-12-31`);
      periods.push({ start, end, months: monthsTouched(start, end), index: periods.length });
    }
  } else {
    // Each boundary is counted from the cycle start, so a 02-29 start cannot drift year by year.
    for (let i = 0; addMonths(cycle.start, 12 * i) <= cycle.end; i++) {
      const start = addMonths(cycle.start, 12 * i);
      const end = minDate(cycle.end, addDays(addMonths(cycle.start, 12 * (i + 1)), -1));
      // A project year from mid-month touches 13 calendar months but is still one year.
      periods.push({ start, end, months: Math.min(12, monthsTouched(start, end)), index: i });
    }
  }
  return periods;
}

/** The annual period holding `date`; dates before the cycle give the first, after it the last. */
export function periodContaining(ruleSet: Pick<RuleSet, 'periodMode'>, cycle: Cycle, date: IsoDate): Period {
  assertIsoDate(date, 'date');
  const periods = periodsOf(ruleSet, cycle);
  return periods.find((p) => date <= p.end) ?? periods[periods.length - 1];
}

/** The whole cycle as one period, for requirements with period 'cycle'. */
export function cyclePeriod(cycle: Cycle): Period {
  assertCycle(cycle);
  return { start: cycle.start, end: cycle.end, months: monthsTouched(cycle.start, cycle.end), index: 0 };
}

/** The period a requirement is judged over on date `at`: the annual period, or the whole cycle. */
export function requirementPeriod(
  req: Pick<Requirement, 'period'>,
  ruleSet: Pick<RuleSet, 'periodMode'>,
  cycle: Cycle,
  at: IsoDate,
): Period {
  return req.period === 'cycle' ? cyclePeriod(cycle) : periodContaining(ruleSet, cycle, at);
}

/**
 * The minimum for `period`. A partial annual period is pro-rated by the calendar months it
 * touches, rounded up (July–December: 3 → 2, 5 → 3, 1 → 1), unless the rule set turns that off.
 * Cycle requirements are never pro-rated. `_cycle` is accepted for callers that pass it; the
 * period already carries its months.
 */
export function minimumFor(
  req: Pick<Requirement, 'minimum' | 'period'>,
  ruleSet: Pick<RuleSet, 'prorate'>,
  period: Period,
  _cycle?: Cycle,
): number {
  if (req.period === 'cycle' || !ruleSet.prorate || period.months >= 12) return req.minimum;
  return Math.ceil((req.minimum * period.months) / 12);
}

/**
 * SPEC §3 v2 pace: how many should be verified by `today` if the minimum were spread evenly over the
 * period, rounded half up: ⌊minimum × elapsed / days + ½⌋ = (2·minimum·elapsed + days) div (2·days),
 * elapsed being the days from the period start through today (inclusive); 0 before, minimum after.
 */
export function paceFor(minimum: number, period: Pick<Period, 'start' | 'end'>, today: IsoDate): number {
  assertIsoDate(today, 'today');
  if (today < period.start) return 0;
  if (today > period.end) return minimum;
  return paceOfDays(minimum, daysInclusive(period.start, today), daysInclusive(period.start, period.end));
}

/** paceFor() on day counts: `elapsed` of the period's `days` (1 ≤ elapsed ≤ days). */
export function paceOfDays(minimum: number, elapsed: number, days: number): number {
  // Whole numbers until the one division, so the rounding is exact.
  return Math.floor((2 * minimum * elapsed + days) / (2 * days));
}
