import { addDays, type IsoDate } from '@app/compliance';

/** The outbox kind of deadline reminders. */
export const REMINDER = 'reminder';

/** The day a reminder `daysBefore` a period's last day falls on. */
export function reminderDate(periodEnd: IsoDate, daysBefore: number): IsoDate {
  return addDays(periodEnd, -daysBefore);
}

/**
 * The reminder due on `today` for a period ending on `periodEnd`, or null. Each reminder's window runs
 * from its date up to the next (smaller) reminder's date, the last one's up to the period's last day: a
 * missed day (the service was down) is sent late, once, but a reminder whose window has passed is left
 * out, superseded by the next one rather than sent weeks late beside it. `days` may be in any order.
 */
export function dueReminder(periodEnd: IsoDate, days: readonly number[], today: IsoDate): number | null {
  if (today > periodEnd) return null;
  let due: number | null = null;
  for (const d of [...days].sort((a, b) => b - a)) {
    if (reminderDate(periodEnd, d) <= today) due = d;
  }
  return due;
}
