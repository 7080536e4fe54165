import { addMonths, daysInclusive, isIsoDate, monthsTouched, todayIn } from './dates';

describe('todayIn: calendar dates in Asia/Shanghai', () => {
  it('is already the next day in Shanghai at 16:30 UTC', () => {
    expect(todayIn(new Date('2026-03-31T16:30:00Z'))).toBe('2026-04-01');
  });

  it('is still the same day at 23:59:59 Shanghai time', () => {
    expect(todayIn(new Date('2026-03-31T15:59:59Z'))).toBe('2026-03-31');
  });

  it('turns the year at Shanghai midnight, not UTC midnight', () => {
    // 00:30 on 1 January in Shanghai is still 31 December in UTC…
    expect(todayIn(new Date('2025-12-31T16:30:00Z'))).toBe('2026-01-01');
    expect(todayIn(new Date('2025-12-31T16:30:00Z'), 'UTC')).toBe('2025-12-31');
    // …and 23:30 on 31 December in Shanghai is still 2025 there.
    expect(todayIn(new Date('2025-12-31T15:30:00Z'))).toBe('2025-12-31');
  });

  it('honours another zone', () => {
    expect(todayIn(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-31');
  });
});

describe('calendar-date arithmetic', () => {
  it('knows real dates, leap days included', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('2025-1-01')).toBe(false);
    expect(isIsoDate(20250101)).toBe(false);
  });

  it('counts days inclusively across a leap year', () => {
    expect(daysInclusive('2028-01-01', '2028-12-31')).toBe(366);
    expect(daysInclusive('2025-01-01', '2025-12-31')).toBe(365);
    expect(daysInclusive('2028-02-28', '2028-03-01')).toBe(3);
  });

  it('counts the calendar months a range touches', () => {
    expect(monthsTouched('2024-07-15', '2024-12-31')).toBe(6);
    expect(monthsTouched('2024-07-31', '2024-08-01')).toBe(2);
    expect(monthsTouched('2024-07-15', '2025-07-14')).toBe(13);
  });

  it('adds months, keeping a missing day at the month end', () => {
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 48)).toBe('2028-02-29');
    expect(addMonths('2024-11-30', 3)).toBe('2025-02-28');
  });
});
