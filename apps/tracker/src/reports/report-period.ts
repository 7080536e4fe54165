import { CronTime } from 'cron';
import { daysInMonth, type IsoDate, todayIn } from '@app/compliance';

/** A report period is a calendar month 'YYYY-MM'. */
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = PERIOD.exec(value);
  return !!m && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
}

export function periodBounds(period: string): { start: IsoDate; end: IsoDate } {
  const [y, m] = period.split('-').map(Number);
  return { start: `${period}-01`, end: `${period}-${String(daysInMonth(y, m)).padStart(2, '0')}` };
}

/**
 * The date a period's reports are computed for: today while the month runs (the scheduled run on the
 * 1st reports as of the 1st), its last day once it is over, its first day if it lies ahead.
 */
export function asOfFor(period: string, today: IsoDate): IsoDate {
  const { start, end } = periodBounds(period);
  return today < start ? start : today > end ? end : today;
}

/** The month of an instant in the report time zone: a tick at 08:00 Shanghai on 1 May is '2026-05'. */
export function periodOfInstant(at: Date, timeZone: string): string {
  return todayIn(at, timeZone).slice(0, 7);
}

/**
 * The latest time the cron expression fired at or before `now`, looking back at most `lookbackDays`;
 * null if it did not fire in that window. Searches growing windows so a per-minute expression
 * costs a few steps, not a month of them.
 */
export function latestTickAtOrBefore(
  cron: string,
  timeZone: string,
  now: Date,
  lookbackDays = 35,
): Date | null {
  const time = new CronTime(cron, timeZone);
  for (const hours of [1, 24, lookbackDays * 24]) {
    let cursor = new Date(now.getTime() - hours * 3600_000);
    let latest: Date | null = null;
    for (let i = 0; i < 10_000; i++) {
      const next = time.getNextDateFrom(cursor, timeZone).toJSDate();
      if (next.getTime() > now.getTime()) break;
      latest = next;
      cursor = next;
    }
    if (latest) return latest;
  }
  return null;
}
