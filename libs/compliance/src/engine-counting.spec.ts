import { join } from 'node:path';
import { countFacts, qualifies, verifiedDates } from './engine';
import { loadRuleSetsFromDir } from './rule-set';
import type { ActivityFact, ActivityStatus, Requirement, RuleSet } from './types';

const service = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets')).get(
  'service-industry-demo@1',
) as RuleSet;
const req = (key: string) => service.requirements.find((r) => r.key === key) as Requirement;
const year2025 = { start: '2025-01-01', end: '2025-12-31' };

function fact(
  requirement: string,
  date: string,
  status: ActivityStatus = 'verified',
  attributes: ActivityFact['attributes'] = {},
): ActivityFact {
  return { requirement, date, status, attributes };
}

describe('what counts', () => {
  it('counts verified as verified and submitted as pending; drafts and rejected never', () => {
    const facts = [
      fact('exchange_events', '2025-03-01', 'verified'),
      fact('exchange_events', '2025-03-02', 'verified'),
      fact('exchange_events', '2025-03-03', 'submitted'),
      fact('exchange_events', '2025-03-04', 'draft'),
      fact('exchange_events', '2025-03-05', 'rejected'),
    ];
    expect(countFacts(req('exchange_events'), year2025, facts)).toEqual({ verified: 2, pending: 1 });
  });

  it('counts only the requirement asked for', () => {
    const facts = [fact('work_updates', '2025-03-01'), fact('exchange_events', '2025-03-01')];
    expect(countFacts(req('work_updates'), year2025, facts)).toEqual({ verified: 1, pending: 0 });
  });

  it('counts the first and last day of the period but not the days around it', () => {
    const facts = [
      fact('work_updates', '2024-12-31'),
      fact('work_updates', '2025-01-01'),
      fact('work_updates', '2025-12-31'),
      fact('work_updates', '2026-01-01', 'submitted'),
    ];
    expect(countFacts(req('work_updates'), year2025, facts)).toEqual({ verified: 2, pending: 0 });
  });

  it('does not count city media, provincial journals or group standards', () => {
    const facts = [
      fact('media_reports', '2025-05-01', 'verified', { outletLevel: 'municipal' }),
      fact('media_reports', '2025-05-01', 'verified', { outletLevel: 'other' }),
      fact('media_reports', '2025-05-01', 'verified', { outletLevel: 'provincial' }),
      fact('media_reports', '2025-05-01', 'submitted', { outletLevel: 'national' }),
      fact('national_papers', '2025-05-01', 'verified', { journalLevel: 'provincial' }),
      fact('national_papers', '2025-05-01', 'submitted', { journalLevel: 'national' }),
      fact('standard_proposals', '2025-05-01', 'verified', {
        standardLevel: 'group',
        standardKind: 'proposal',
      }),
      fact('standard_proposals', '2025-05-01', 'verified', {
        standardLevel: 'enterprise',
        standardKind: 'proposal',
      }),
      fact('standard_proposals', '2025-05-01', 'verified', {
        standardLevel: 'national',
        standardKind: 'implementation_report',
      }),
      fact('standard_proposals', '2025-05-01', 'verified', {
        standardLevel: 'local',
        standardKind: 'proposal',
      }),
    ];
    expect(countFacts(req('media_reports'), year2025, facts)).toEqual({ verified: 1, pending: 1 });
    expect(countFacts(req('national_papers'), year2025, facts)).toEqual({ verified: 0, pending: 1 });
    expect(countFacts(req('standard_proposals'), year2025, facts)).toEqual({ verified: 2, pending: 0 });
  });

  it('needs every condition: a missing or null attribute does not qualify', () => {
    const proposals = req('standard_proposals');
    expect(qualifies(proposals, { attributes: { standardLevel: 'national' } })).toBe(false);
    expect(qualifies(proposals, { attributes: { standardLevel: 'national', standardKind: null } })).toBe(
      false,
    );
    expect(
      qualifies(proposals, { attributes: { standardLevel: 'national', standardKind: 'proposal' } }),
    ).toBe(true);
    expect(qualifies(req('exchange_events'), { attributes: {} })).toBe(true);
  });
});

describe('distinct persons', () => {
  const persons = req('trained_personnel');

  it('counts the same person twice once', () => {
    const facts = [
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-06-01', 'verified', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-06-01', 'verified', { personKey: 'P-2' }),
    ];
    expect(countFacts(persons, year2025, facts)).toEqual({ verified: 2, pending: 0 });
  });

  it('counts a person both verified and pending once, as verified', () => {
    const facts = [
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-03-01', 'submitted', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-03-01', 'submitted', { personKey: 'P-2' }),
      fact('trained_personnel', '2025-04-01', 'submitted', { personKey: 'P-2' }),
    ];
    expect(countFacts(persons, year2025, facts)).toEqual({ verified: 1, pending: 1 });
  });

  it('ignores records without an identity and surrounding spaces', () => {
    const facts = [
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: ' P-1 ' }),
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: '' }),
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: '  ' }),
      fact('trained_personnel', '2025-02-01', 'verified', {}),
      fact('trained_personnel', '2025-02-01', 'submitted', { personKey: null }),
    ];
    expect(countFacts(persons, year2025, facts)).toEqual({ verified: 1, pending: 0 });
  });

  it('counts a person again in another period (once per period)', () => {
    const facts = [
      fact('trained_personnel', '2024-11-01', 'verified', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: 'P-1' }),
    ];
    expect(countFacts(persons, year2025, facts).verified).toBe(1);
    expect(countFacts(persons, { start: '2024-07-01', end: '2024-12-31' }, facts).verified).toBe(1);
  });

  it("gives each person's first verified date for the chart", () => {
    const facts = [
      fact('trained_personnel', '2025-06-01', 'verified', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-02-01', 'verified', { personKey: 'P-1' }),
      fact('trained_personnel', '2025-03-01', 'verified', { personKey: 'P-2' }),
      fact('trained_personnel', '2025-01-01', 'submitted', { personKey: 'P-3' }),
    ];
    expect(verifiedDates(persons, year2025, facts)).toEqual(['2025-02-01', '2025-03-01']);
    expect(
      verifiedDates(req('work_updates'), year2025, [
        fact('work_updates', '2025-05-01'),
        fact('work_updates', '2025-02-01'),
        fact('work_updates', '2024-02-01'),
      ]),
    ).toEqual(['2025-02-01', '2025-05-01']);
  });
});
