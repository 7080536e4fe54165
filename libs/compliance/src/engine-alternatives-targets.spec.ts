import { join } from 'node:path';
import { countFacts, evaluate, evaluateCounts, qualifies, targetFor } from './engine';
import { loadRuleSetsFromDir } from './rule-set';
import type { ActivityFact, Requirement, RuleSet, UnitTarget } from './types';

const ruleSets = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets'));
const v1 = ruleSets.get('service-industry-demo@1') as RuleSet;
const v2 = ruleSets.get('service-industry-demo@2') as RuleSet;
const social = ruleSets.get('social-management-pilot@1') as RuleSet;
const proposals = (rs: RuleSet) => rs.requirements.find((r) => r.key === 'standard_proposals') as Requirement;
const year2025 = { start: '2025-01-01', end: '2025-12-31' };

const standard = (standardKind: string | null, standardLevel: string | null): ActivityFact => ({
  requirement: 'standard_proposals',
  date: '2025-05-01',
  status: 'verified',
  attributes: { standardKind, standardLevel },
});

describe('qualification filters as alternatives (SPEC §3 v2)', () => {
  const LEVELS = ['international', 'national', 'industry', 'local', 'group', 'enterprise'];

  it('v2 counts a proposal at international, national, industry or local level', () => {
    const counted = LEVELS.filter((level) => qualifies(proposals(v2), standard('proposal', level)));
    expect(counted).toEqual(['international', 'national', 'industry', 'local']);
  });

  it('v2 counts an implementation report only on a national standard', () => {
    const counted = LEVELS.filter((level) =>
      qualifies(proposals(v2), standard('implementation_report', level)),
    );
    expect(counted).toEqual(['national']);
  });

  it('v1 keeps its single filter: either kind at the four levels', () => {
    expect(qualifies(proposals(v1), standard('implementation_report', 'local'))).toBe(true);
    expect(qualifies(proposals(v1), standard('implementation_report', 'group'))).toBe(false);
  });

  it('never counts a missing kind or level', () => {
    expect(qualifies(proposals(v2), standard(null, 'national'))).toBe(false);
    expect(qualifies(proposals(v2), standard('proposal', null))).toBe(false);
  });

  it('lets everything qualify with an empty alternative, and nothing with no alternative', () => {
    expect(qualifies({ qualifies: [[]] }, standard(null, null))).toBe(true);
    expect(qualifies({ qualifies: [] }, standard('proposal', 'national'))).toBe(false);
  });

  it('counts each activity once even when it satisfies two alternatives', () => {
    const both: Requirement = {
      ...proposals(v2),
      qualifies: [
        [{ field: 'standardLevel', in: ['national'] }],
        [{ field: 'standardKind', in: ['proposal'] }],
      ],
    };
    expect(countFacts(both, year2025, [standard('proposal', 'national')])).toEqual({
      verified: 1,
      pending: 0,
    });
  });
});

describe('unit targets (SPEC §3 v2)', () => {
  const cycle = { start: '2024-07-01', end: '2026-06-30' };

  it('replace the pro-rated minimum of their requirement in the period they start, only there', () => {
    const targets: UnitTarget[] = [{ requirement: 'national_papers', periodStart: '2025-01-01', minimum: 3 }];
    const y2025 = evaluate(v2, cycle, [], '2025-12-01', '2025-12-01', targets);
    const papers = y2025.requirements.find((r) => r.key === 'national_papers')!;
    expect(papers).toMatchObject({ minimum: 3, ruleMinimum: 1, targeted: true, remaining: 3 });
    // Day 335 of 365: 3 × 335 / 365 = 2.75 → 3.
    expect(papers.pace).toBe(3);
    const others = y2025.requirements.filter((r) => r.key !== 'national_papers');
    expect(others.every((r) => !r.targeted && r.minimum === r.ruleMinimum)).toBe(true);

    const y2024 = evaluate(v2, cycle, [], '2024-12-01', '2024-12-01', targets);
    expect(y2024.requirements.find((r) => r.key === 'national_papers')).toMatchObject({
      minimum: 1,
      targeted: false,
    });
  });

  it('can lower a minimum, even to zero, which is met at once', () => {
    const targets: UnitTarget[] = [
      { requirement: 'exchange_events', periodStart: '2024-07-01', minimum: 0 },
      { requirement: 'standard_proposals', periodStart: '2024-07-01', minimum: 1 },
    ];
    const facts: ActivityFact[] = [standard('proposal', 'national')].map((f) => ({
      ...f,
      date: '2024-08-01',
    }));
    const result = evaluate(v2, cycle, facts, '2024-09-01', '2024-09-01', targets);
    const byKey = Object.fromEntries(result.requirements.map((r) => [r.key, r]));
    expect(byKey.exchange_events).toMatchObject({ minimum: 0, ruleMinimum: 2, status: 'met' });
    expect(byKey.standard_proposals).toMatchObject({ minimum: 1, ruleMinimum: 3, status: 'met' });
  });

  it('apply to a whole-cycle requirement by the cycle start', () => {
    const socialCycle = { start: '2024-07-15', end: '2026-07-14' };
    const targets: UnitTarget[] = [
      { requirement: 'trained_personnel', periodStart: '2024-07-15', minimum: 10 },
    ];
    const result = evaluate(social, socialCycle, [], '2025-07-14', '2025-07-14', targets);
    expect(result.requirements.find((r) => r.key === 'trained_personnel')).toMatchObject({
      minimum: 10,
      ruleMinimum: 3,
      pace: 5,
    });
  });

  it('are ignored when they name another requirement or no period start', () => {
    const targets: UnitTarget[] = [
      { requirement: 'unknown', periodStart: '2025-01-01', minimum: 9 },
      { requirement: 'work_updates', periodStart: '2025-02-01', minimum: 9 },
    ];
    expect(evaluateCounts(v2, cycle, {}, '2025-06-01', '2025-06-01', targets)).toEqual(
      evaluateCounts(v2, cycle, {}, '2025-06-01'),
    );
    expect(targetFor(targets, { key: 'work_updates' }, { start: '2025-02-01' })?.minimum).toBe(9);
  });
});
