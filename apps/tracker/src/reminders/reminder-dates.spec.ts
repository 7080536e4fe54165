import { dueReminder, reminderDate } from './reminder-dates';

describe('deadline reminders: which one is due', () => {
  const end = '2026-12-31';
  const days = [60, 30, 7];

  it('falls the given number of days before the period’s last day', () => {
    expect(reminderDate(end, 30)).toBe('2026-12-01');
    expect(reminderDate(end, 60)).toBe('2026-11-01');
  });

  it.each([
    ['2026-10-31', null],
    ['2026-11-01', 60],
    ['2026-11-20', 60], // sent late (a missed day), within its window
    ['2026-12-01', 30],
    ['2026-12-23', 30],
    ['2026-12-24', 7],
    ['2026-12-31', 7],
    ['2027-01-01', null], // the period is over
  ])('on %s: %s', (today, due) => {
    expect(dueReminder(end, days, today)).toBe(due);
  });

  it('ignores the order of the days and sends none without days', () => {
    expect(dueReminder(end, [7, 60, 30], '2026-12-05')).toBe(30);
    expect(dueReminder(end, [], '2026-12-05')).toBeNull();
  });
});
