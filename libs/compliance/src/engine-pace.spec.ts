import { paceFor } from './periods';

const year2025 = { start: '2025-01-01', end: '2025-12-31' };
const leap2028 = { start: '2028-01-01', end: '2028-12-31' };
const secondHalf2024 = { start: '2024-07-01', end: '2024-12-31' };

describe('pace: minimum × elapsed days, rounded down', () => {
  it('is 0 before the period and on its first day for small minima', () => {
    expect(paceFor(3, year2025, '2024-12-31')).toBe(0);
    expect(paceFor(3, year2025, '2025-01-01')).toBe(0);
  });

  it('counts the first day as elapsed', () => {
    // 365 × 1 / 365: a minimum as large as the period is already 1 on day one.
    expect(paceFor(365, year2025, '2025-01-01')).toBe(1);
  });

  it('reaches 1 of 3 on day 122 (2025-05-02), not the day before', () => {
    expect(paceFor(3, year2025, '2025-05-01')).toBe(0);
    expect(paceFor(3, year2025, '2025-05-02')).toBe(1);
  });

  it('equals the minimum on the last day and after it', () => {
    expect(paceFor(3, year2025, '2025-12-30')).toBe(2);
    expect(paceFor(3, year2025, '2025-12-31')).toBe(3);
    expect(paceFor(3, year2025, '2026-06-01')).toBe(3);
  });

  it('counts the leap day in a 366-day year', () => {
    // 2028-02-29 is day 60 of 366; 6 × 60 / 366 < 1 but 6 × 61 / 366 = 1 exactly.
    expect(paceFor(6, leap2028, '2028-02-29')).toBe(0);
    expect(paceFor(6, leap2028, '2028-03-01')).toBe(1);
    expect(paceFor(6, year2025, '2025-03-01')).toBe(0);
    expect(paceFor(6, year2025, '2025-03-02')).toBe(1);
  });

  it('runs over the partial period only', () => {
    // 184 days from July to December; 2 × 92 / 184 = 1 on 2024-09-30.
    expect(paceFor(2, secondHalf2024, '2024-09-29')).toBe(0);
    expect(paceFor(2, secondHalf2024, '2024-09-30')).toBe(1);
  });

  it('rejects a today that is not a date', () => {
    expect(() => paceFor(3, year2025, '2025-02-30')).toThrow('today must be a calendar date');
  });
});
