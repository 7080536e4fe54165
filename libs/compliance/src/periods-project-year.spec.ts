import { periodContaining, periodsOf } from './periods';

const projectYears = { periodMode: 'project_year' as const };

describe('project-year periods counted from the cycle start', () => {
  it('gives consecutive 12-month periods', () => {
    expect(periodsOf(projectYears, { start: '2024-07-15', end: '2026-07-14' })).toEqual([
      { start: '2024-07-15', end: '2025-07-14', months: 12, index: 0 },
      { start: '2025-07-15', end: '2026-07-14', months: 12, index: 1 },
    ]);
  });

  it('clips the last period to the cycle end', () => {
    const periods = periodsOf(projectYears, { start: '2024-07-15', end: '2026-12-31' });
    expect(periods[2]).toEqual({ start: '2026-07-15', end: '2026-12-31', months: 6, index: 2 });
  });

  it('does not drift when the cycle starts on a leap day', () => {
    expect(periodsOf(projectYears, { start: '2024-02-29', end: '2027-02-27' })).toEqual([
      { start: '2024-02-29', end: '2025-02-27', months: 12, index: 0 },
      { start: '2025-02-28', end: '2026-02-27', months: 12, index: 1 },
      { start: '2026-02-28', end: '2027-02-27', months: 12, index: 2 },
    ]);
  });

  it('finds the project year of a date', () => {
    const cycle = { start: '2024-07-15', end: '2026-07-14' };
    expect(periodContaining(projectYears, cycle, '2025-07-14').index).toBe(0);
    expect(periodContaining(projectYears, cycle, '2025-07-15').index).toBe(1);
  });
});
