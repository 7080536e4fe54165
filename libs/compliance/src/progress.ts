import { dayNumber, daysInMonth, minDate, monthOf } from './dates';
import { paceOfDays } from './periods';
import type { IsoDate, Period } from './types';

export interface MonthPoint {
  /** 'YYYY-MM' */
  month: string;
  /** Verified so far, up to the month's end (or the period's end if sooner). */
  verified: number;
  /** Pace at that same day. */
  pace: number;
}

/**
 * Cumulative verified count and pace at the end of each calendar month of the period, for the line
 * chart. Months after today's month are left out (none are when the period is over; all are when
 * it has not started). Dates outside the period are ignored; for distinct persons pass each
 * person's first date (see verifiedDates()).
 */
export function cumulativeByMonth(
  period: Pick<Period, 'start' | 'end'>,
  verifiedDates: readonly IsoDate[],
  minimum: number,
  today: IsoDate,
): MonthPoint[] {
  if (today < period.start) return [];
  // Sorted (ISO dates sort as text), so each month only counts on from the previous one.
  const dates = verifiedDates.filter((d) => d >= period.start && d <= period.end).sort();
  const lastMonth = monthOf(minDate(today, period.end));
  // paceFor() at each month's end, on day numbers worked out once: that end is inside the period.
  const first = dayNumber(period.start);
  const days = dayNumber(period.end) - first + 1;
  const points: MonthPoint[] = [];
  let [year, month] = period.start.split('-').map(Number);
  let verified = 0;
  for (;;) {
    const key = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (key > lastMonth) break;
    const end = minDate(`${key}-${String(daysInMonth(year, month)).padStart(2, '0')}`, period.end);
    while (verified < dates.length && dates[verified] <= end) verified++;
    points.push({ month: key, verified, pace: paceOfDays(minimum, dayNumber(end) - first + 1, days) });
    if (++month > 12) [year, month] = [year + 1, 1];
  }
  return points;
}
