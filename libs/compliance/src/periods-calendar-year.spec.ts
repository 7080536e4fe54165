import { cyclePeriod, periodContaining, periodsOf } from './periods';

const calendar = { periodMode: 'calendar_year' as const };

describe('calendar-year periods clipped to the cycle', () => {
  const cycle = { start: '2024-07-01', end: '2026-06-30' };

  it('splits a cycle starting mid-year into three periods', () => {
    expect(periodsOf(calendar, cycle)).toEqual([
      { start: '2024-07-01', end: '2024-12-31', months: 6, index: 0 },
      { start: '2025-01-01', end: '2025-12-31', months: 12, index: 1 },
      { start: '2026-01-01', end: '2026-06-30', months: 6, index: 2 },
    ]);
  });

  it('counts the months a period touches, not whole months', () => {
    const [first] = periodsOf(calendar, { start: '2024-07-15', end: '2026-07-14' });
    expect(first).toEqual({ start: '2024-07-15', end: '2024-12-31', months: 6, index: 0 });
  });

  it('gives two full years for a calendar-aligned cycle', () => {
    expect(periodsOf(calendar, { start: '2025-01-01', end: '2026-12-31' }).map((p) => p.months)).toEqual([
      12, 12,
    ]);
  });

  it('finds the period of its first and last day', () => {
    expect(periodContaining(calendar, cycle, '2025-01-01').index).toBe(1);
    expect(periodContaining(calendar, cycle, '2024-12-31').index).toBe(0);
    expect(periodContaining(calendar, cycle, '2025-12-31').index).toBe(1);
    expect(periodContaining(calendar, cycle, '2026-01-01').index).toBe(2);
  });

  it('uses the first period before the cycle and the last after it', () => {
    expect(periodContaining(calendar, cycle, '2023-05-01').index).toBe(0);
    expect(periodContaining(calendar, cycle, '2027-05-01').index).toBe(2);
  });

  it('spans the whole cycle for cycle requirements', () => {
    expect(cyclePeriod(cycle)).toEqual({ start: '2024-07-01', end: '2026-06-30', months: 24, index: 0 });
  });

  it('refuses a cycle that ends before it starts or is not a date', () => {
    expect(() => periodsOf(calendar, { start: '2026-01-01', end: '2025-12-31' })).toThrow(
      'cycle.end (2025-12-31) must not be before cycle.start (2026-01-01)',
    );
    expect(() => periodsOf(calendar, { start: '2025-02-30', end: '2025-12-31' })).toThrow(
      'cycle.start must be a calendar date',
    );
  });
});
