import { join } from 'node:path';
import { evaluate, evaluateCounts, requirementStatus, worstStatus } from './engine';
import { todayIn } from './dates';
import { loadRuleSetsFromDir } from './rule-set';
import type { ActivityFact, RequirementStatus, RuleSet, UnitCompliance } from './types';

const service = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets')).get(
  'service-industry-demo@1',
) as RuleSet;
const cycle = { start: '2025-01-01', end: '2026-12-31' };
const statuses = (result: UnitCompliance) =>
  Object.fromEntries(result.requirements.map((r) => [r.key, r.status]));

describe('status precedence', () => {
  const base = { minimum: 3, verified: 0, pending: 0, pace: 0, ended: false };

  it('met beats failed', () => {
    expect(requirementStatus({ ...base, verified: 3, pace: 3, ended: true })).toBe('met');
  });

  it('is failed once the period has ended short, pending or not', () => {
    expect(requirementStatus({ ...base, verified: 2, pending: 5, pace: 3, ended: true })).toBe('failed');
  });

  it('is on_track when verified keeps pace, at_risk when only pending covers it, else shortfall', () => {
    expect(requirementStatus({ ...base, verified: 1, pace: 1 })).toBe('on_track');
    expect(requirementStatus({ ...base, verified: 0, pending: 1, pace: 1 })).toBe('at_risk');
    expect(requirementStatus({ ...base, verified: 1, pending: 1, pace: 3 })).toBe('shortfall');
  });

  it('orders failed < shortfall < at_risk < on_track < met for the overall status', () => {
    const all: RequirementStatus[] = ['met', 'on_track', 'at_risk', 'shortfall', 'failed'];
    expect(worstStatus(all)).toBe('failed');
    expect(worstStatus(['met', 'at_risk', 'on_track'])).toBe('at_risk');
    expect(worstStatus(['on_track', 'shortfall', 'at_risk'])).toBe('shortfall');
    expect(worstStatus(['met', 'met'])).toBe('met');
    expect(worstStatus([])).toBe('met');
  });
});

describe('an empty unit', () => {
  it('is on track on 1 January, when every pace rounds to 0', () => {
    const result = evaluate(service, cycle, [], '2025-01-01');
    expect(result.requirements.map((r) => r.pace)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(result.overall).toBe('on_track');
    expect(result.period).toEqual({ start: '2025-01-01', end: '2025-12-31', months: 12, index: 0 });
  });

  it('falls behind requirement by requirement as pace reaches 1', () => {
    // 2025-07-01 is day 182 of 365 (0.4986 of the year): 3 → 1.5 → 1, 5 → 2.49 → 2, 1 → 0.499 → 0,
    // 2 → 0.997 → 1, 4 → 1.99 → 2. Only the one national paper is not yet due.
    const july1 = evaluate(service, cycle, [], '2025-07-01');
    expect(july1.requirements.map((r) => r.pace)).toEqual([1, 2, 0, 1, 2, 1]);
    expect(statuses(july1)).toEqual({
      exchange_events: 'shortfall',
      standard_proposals: 'shortfall',
      national_papers: 'on_track',
      trained_personnel: 'shortfall',
      work_updates: 'shortfall',
      media_reports: 'shortfall',
    });
    expect(july1.overall).toBe('shortfall');

    // Day 183: the paper is due from the middle of the year (v1 waited for 31 December).
    const july2 = evaluate(service, cycle, [], '2025-07-02');
    expect(statuses(july2).national_papers).toBe('shortfall');
  });

  it('says what is still needed, how much of it is waiting for review, and the days left', () => {
    const facts: ActivityFact[] = [
      { requirement: 'exchange_events', date: '2025-03-01', status: 'verified', attributes: {} },
      { requirement: 'exchange_events', date: '2025-04-01', status: 'submitted', attributes: {} },
      { requirement: 'exchange_events', date: '2025-04-02', status: 'submitted', attributes: {} },
      { requirement: 'exchange_events', date: '2025-04-03', status: 'submitted', attributes: {} },
    ];
    const result = evaluate(service, cycle, facts, '2025-12-01');
    const events = result.requirements.find((r) => r.key === 'exchange_events');
    expect(events).toMatchObject({ minimum: 3, verified: 1, pending: 3, remaining: 2, remainingPending: 2 });
    expect(events?.daysLeft).toBe(30);
    const papers = result.requirements.find((r) => r.key === 'national_papers');
    expect(papers).toMatchObject({ remaining: 1, remainingPending: 0, daysLeft: 30, status: 'shortfall' });
    expect(evaluate(service, cycle, facts, '2025-12-31').requirements[0].daysLeft).toBe(0);
    expect(evaluate(service, cycle, facts, '2026-01-01', '2025-12-31').requirements[0].daysLeft).toBe(0);
  });

  it('is not yet failed on the last day of the period, and failed the day after', () => {
    const lastDay = evaluate(service, cycle, [], '2025-12-31');
    expect(lastDay.overall).toBe('shortfall');
    const nextDay = evaluate(service, cycle, [], '2026-01-01', '2025-12-31');
    expect(nextDay.overall).toBe('failed');
    expect(nextDay.requirements.every((r) => r.remaining === r.minimum)).toBe(true);
  });

  it('is failed after the cycle has ended (the last period is judged)', () => {
    const result = evaluate(service, cycle, [], '2027-03-01');
    expect(result.period.start).toBe('2026-01-01');
    expect(result.overall).toBe('failed');
  });
});

describe('a unit with everything met early', () => {
  const verified = (requirement: string, n: number, attributes: (i: number) => ActivityFact['attributes']) =>
    Array.from({ length: n }, (_, i): ActivityFact => ({
      requirement,
      date: `2025-01-${String(10 + i).padStart(2, '0')}`,
      status: 'verified',
      attributes: attributes(i),
    }));
  const facts = [
    ...verified('exchange_events', 3, () => ({})),
    ...verified('standard_proposals', 5, () => ({ standardLevel: 'industry', standardKind: 'proposal' })),
    ...verified('national_papers', 1, () => ({ journalLevel: 'national' })),
    ...verified('trained_personnel', 2, (i) => ({ personKey: `P-${i}` })),
    ...verified('work_updates', 4, () => ({})),
    ...verified('media_reports', 2, () => ({ outletLevel: 'national' })),
  ];

  it('is met in January with nothing remaining', () => {
    const result = evaluate(service, cycle, facts, '2025-01-31');
    expect(result.overall).toBe('met');
    expect(result.requirements.every((r) => r.remaining === 0)).toBe(true);
  });

  it('stays met after the period has ended', () => {
    expect(evaluate(service, cycle, facts, '2026-02-01', '2025-06-01').overall).toBe('met');
  });

  it('starts again from zero in the next year', () => {
    expect(evaluate(service, cycle, facts, '2026-01-01').overall).toBe('on_track');
  });
});

describe('pending activities', () => {
  it('turn a shortfall into at_risk: "verified 2, pending 1, need 3"', () => {
    const counts = { exchange_events: { verified: 2, pending: 1 } };
    const late = evaluateCounts(service, cycle, counts, '2025-12-31');
    const events = late.requirements[0];
    expect([events.verified, events.pending, events.minimum, events.pace]).toEqual([2, 1, 3, 3]);
    expect(events.status).toBe('at_risk');
    expect(events.remaining).toBe(1);
  });
});

describe('today in Shanghai', () => {
  it('moves to the next period at Shanghai midnight, while it is still the old year in UTC', () => {
    const now = new Date('2025-12-31T16:30:00Z');
    const result = evaluate(service, cycle, [], todayIn(now));
    expect(result.today).toBe('2026-01-01');
    expect(result.period.start).toBe('2026-01-01');
  });
});
