import { cumulativeByMonth } from './progress';

const year2025 = { start: '2025-01-01', end: '2025-12-31' };
const dates = ['2024-12-31', '2025-01-10', '2025-02-01', '2025-02-28', '2025-04-30', '2026-01-01'];

describe('cumulative verified and pace by month, for the line chart', () => {
  it('stops at the month of today', () => {
    // Pace of 12 at each month end: 12 × 31/365 = 1.02, 12 × 59/365 = 1.94, 12 × 90/365 = 2.96,
    // 12 × 120/365 = 3.95, rounded half up.
    expect(cumulativeByMonth(year2025, dates, 12, '2025-04-15')).toEqual([
      { month: '2025-01', verified: 1, pace: 1 },
      { month: '2025-02', verified: 3, pace: 2 },
      { month: '2025-03', verified: 3, pace: 3 },
      { month: '2025-04', verified: 4, pace: 4 },
    ]);
  });

  it('gives every month once the period is over, ending at the minimum', () => {
    const points = cumulativeByMonth(year2025, dates, 12, '2026-02-01');
    expect(points.map((p) => p.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`),
    );
    expect(points[11]).toEqual({ month: '2025-12', verified: 4, pace: 12 });
  });

  it('is empty before the period starts', () => {
    expect(cumulativeByMonth(year2025, dates, 12, '2024-12-31')).toEqual([]);
  });

  it('clips the first and last month to a period that starts and ends mid-month', () => {
    const projectYear = { start: '2024-07-15', end: '2025-07-14' };
    const points = cumulativeByMonth(
      projectYear,
      ['2024-07-14', '2024-07-15', '2025-07-14', '2025-07-15'],
      2,
      '2025-09-01',
    );
    expect(points).toHaveLength(13);
    expect(points[0]).toEqual({ month: '2024-07', verified: 1, pace: 0 });
    expect(points[12]).toEqual({ month: '2025-07', verified: 2, pace: 2 });
  });

  it('covers a half-year period only', () => {
    const points = cumulativeByMonth({ start: '2024-07-01', end: '2024-12-31' }, [], 2, '2024-09-30');
    expect(points).toEqual([
      // 2 × 31/184 = 0.34 → 0, 2 × 62/184 = 0.67 → 1, 2 × 92/184 = 1.
      { month: '2024-07', verified: 0, pace: 0 },
      { month: '2024-08', verified: 0, pace: 1 },
      { month: '2024-09', verified: 0, pace: 1 },
    ]);
  });
});
