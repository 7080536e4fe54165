import { paceFor } from './periods';

const year2025 = { start: '2025-01-01', end: '2025-12-31' };
const leap2028 = { start: '2028-01-01', end: '2028-12-31' };
const secondHalf2024 = { start: '2024-07-01', end: '2024-12-31' };

describe('pace v2: minimum × elapsed / days, rounded half up (SPEC §3)', () => {
  it('is 0 before the period and the minimum after it', () => {
    expect(paceFor(3, year2025, '2024-12-31')).toBe(0);
    expect(paceFor(3, year2025, '2026-06-01')).toBe(3);
  });

  it('counts the first day as elapsed and rounds it half up', () => {
    // 183 × 1 / 365 = 0.501 → 1; 182 × 1 / 365 = 0.499 → 0.
    expect(paceFor(183, year2025, '2025-01-01')).toBe(1);
    expect(paceFor(182, year2025, '2025-01-01')).toBe(0);
    expect(paceFor(5, year2025, '2025-01-01')).toBe(0);
  });

  it('equals the minimum on the last day (and, rounded, the day before)', () => {
    for (const minimum of [1, 2, 3, 5]) {
      expect(paceFor(minimum, year2025, '2025-12-31')).toBe(minimum);
      expect(paceFor(minimum, year2025, '2025-12-30')).toBe(minimum);
    }
  });

  it('asks for 1 of 1 from the middle of the year (v1 waited for 31 December)', () => {
    // Day 182 of 365 = 0.4986 → 0; day 183 (2 July) = 0.5014 → 1.
    expect(paceFor(1, year2025, '2025-07-01')).toBe(0);
    expect(paceFor(1, year2025, '2025-07-02')).toBe(1);
  });

  it('reaches each step of 2, 3 and 5 a year on the day the exact value passes a half', () => {
    // 2: 2e/365 ≥ 0.5 from e = 92 (2 April); ≥ 1.5 from e = 274 (1 October).
    expect(paceFor(2, year2025, '2025-04-01')).toBe(0);
    expect(paceFor(2, year2025, '2025-04-02')).toBe(1);
    expect(paceFor(2, year2025, '2025-09-30')).toBe(1);
    expect(paceFor(2, year2025, '2025-10-01')).toBe(2);
    // 3: 3e/365 ≥ 0.5 from e = 61 (2 March).
    expect(paceFor(3, year2025, '2025-03-01')).toBe(0);
    expect(paceFor(3, year2025, '2025-03-02')).toBe(1);
    // 5: 5e/365 ≥ 0.5 from e = 37 (6 February).
    expect(paceFor(5, year2025, '2025-02-05')).toBe(0);
    expect(paceFor(5, year2025, '2025-02-06')).toBe(1);
  });

  it('rounds an exact half up', () => {
    // 184 days from July to December; 30 September is day 92: 1 × 92 / 184 = 0.5 → 1, 3 × 92 / 184 = 1.5 → 2.
    expect(paceFor(1, secondHalf2024, '2024-09-29')).toBe(0);
    expect(paceFor(1, secondHalf2024, '2024-09-30')).toBe(1);
    expect(paceFor(3, secondHalf2024, '2024-09-29')).toBe(1);
    expect(paceFor(3, secondHalf2024, '2024-09-30')).toBe(2);
  });

  it('counts the leap day in a 366-day year', () => {
    // 2028-07-01 is day 183 of 366: exactly a half → 1; in 2025 the same date is day 182 of 365 → 0.
    expect(paceFor(1, leap2028, '2028-06-30')).toBe(0);
    expect(paceFor(1, leap2028, '2028-07-01')).toBe(1);
    expect(paceFor(1, year2025, '2025-07-01')).toBe(0);
    // 2028-02-29 is day 60: 3 × 60 / 366 = 0.4918 → 0; 1 March (day 61) = 0.5 → 1.
    expect(paceFor(3, leap2028, '2028-02-29')).toBe(0);
    expect(paceFor(3, leap2028, '2028-03-01')).toBe(1);
  });

  it('computes in integers (no floating-point error at large minima)', () => {
    // 1,000,001 × 183 / 366 = 500,000.5 exactly → 500,001.
    expect(paceFor(1_000_001, leap2028, '2028-07-01')).toBe(500_001);
  });

  it('rejects a today that is not a date', () => {
    expect(() => paceFor(3, year2025, '2025-02-30')).toThrow('today must be a calendar date');
  });
});
