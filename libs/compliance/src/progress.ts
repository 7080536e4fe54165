import { addDays, endOfMonth, minDate, monthOf } from './dates';
import { paceFor } from './periods';
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
