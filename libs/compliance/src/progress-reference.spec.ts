import { addDays, endOfMonth, minDate, monthOf } from './dates';
import { paceFor } from './periods';
import { cumulativeByMonth, type MonthPoint } from './progress';
import type { IsoDate } from './types';

/** The first, plain implementation (a filter and paceFor() per month), kept as the reference. */
function reference(
  period: { start: IsoDate; end: IsoDate },
  verifiedDates: readonly IsoDate[],
  minimum: number,
  today: IsoDate,
): MonthPoint[] {
  if (today < period.start) return [];
  const dates = verifiedDates.filter((d) => d >= period.start && d <= period.end);
  const lastMonth = monthOf(minDate(today, period.end));
  const points: MonthPoint[] = [];
  for (let day = period.start; monthOf(day) <= lastMonth; day = addDays(endOfMonth(day), 1)) {
    const end = minDate(endOfMonth(day), period.end);
    points.push({
      month: monthOf(day),
      verified: dates.filter((d) => d <= end).length,
      pace: paceFor(minimum, period, end),
    });
  }
  return points;
}

/** A small seeded generator, so a failure can be replayed. */
function generator(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

describe('cumulativeByMonth equals the plain per-month computation', () => {
  it('on 2,000 random periods (mid-month bounds, leap years, up to 5 years), dates and todays', () => {
    const rnd = generator(20260515);
    for (let i = 0; i < 2000; i++) {
      const start = addDays('2023-01-01', rnd(1500));
      const end = addDays(start, rnd(5 * 366));
      const dates = Array.from({ length: rnd(80) }, () => addDays(start, rnd(5 * 366 + 60) - 30));
      const today = addDays(start, rnd(6 * 366) - 40);
      const minimum = rnd(30);
      const period = { start, end };
      expect({ i, points: cumulativeByMonth(period, dates, minimum, today) }).toEqual({
        i,
        points: reference(period, dates, minimum, today),
      });
    }
  });
});
