import { join } from 'node:path';
import { evaluate } from './engine';
import { loadRuleSetsFromDir } from './rule-set';
import type { ActivityFact, RuleSet } from './types';

const social = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets')).get(
  'social-management-pilot@1',
) as RuleSet;
const cycle = { start: '2024-07-15', end: '2026-07-14' };
const person = (date: string, personKey: string): ActivityFact => ({
  requirement: 'trained_personnel',
  date,
  status: 'verified',
  attributes: { personKey },
});

describe('project years and whole-cycle requirements (social-management pilot)', () => {
  it('judges annual requirements over the project year and cycle ones over the whole cycle', () => {
    const result = evaluate(social, cycle, [], '2025-07-14');
    expect(result.period).toEqual({ start: '2024-07-15', end: '2025-07-14', months: 12, index: 0 });
    const byKey = Object.fromEntries(result.requirements.map((r) => [r.key, r]));
    expect(byKey.work_updates.period).toEqual(result.period);
    expect(byKey.work_updates.pace).toBe(2);
    expect(byKey.trained_personnel.period).toEqual({ ...cycle, months: 25, index: 0 });
    // Day 365 of 730: 3 × 365 / 730 = 1.5, an exact half, rounds up to 2.
    expect(byKey.trained_personnel.pace).toBe(2);
    expect(byKey.trained_personnel.minimum).toBe(3);
  });

  it('counts a person once over the whole cycle, whatever the year', () => {
    const facts = [person('2024-08-01', 'A'), person('2025-09-01', 'A'), person('2026-03-01', 'B')];
    const result = evaluate(social, cycle, facts, '2026-03-02');
    const persons = result.requirements.find((r) => r.key === 'trained_personnel');
    expect(persons?.verified).toBe(2);
    expect(persons?.status).toBe('on_track');
  });

  it('fails cycle requirements only when the cycle has ended', () => {
    const facts = [person('2024-08-01', 'A'), person('2025-01-10', 'B')];
    const afterYearOne = evaluate(social, cycle, facts, '2025-07-15', '2025-07-14');
    expect(afterYearOne.requirements.find((r) => r.key === 'work_updates')?.status).toBe('failed');
    expect(afterYearOne.requirements.find((r) => r.key === 'trained_personnel')?.status).toBe('on_track');
    const afterCycle = evaluate(social, cycle, facts, '2026-07-15');
    expect(afterCycle.requirements.find((r) => r.key === 'trained_personnel')?.status).toBe('failed');
  });
});
