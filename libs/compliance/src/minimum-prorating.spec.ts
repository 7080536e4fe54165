import { join } from 'node:path';
import { minimumFor, periodsOf } from './periods';
import { loadRuleSetsFromDir } from './rule-set';
import type { RuleSet } from './types';

const ruleSets = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets'));
const service = ruleSets.get('service-industry-demo@1') as RuleSet;
const social = ruleSets.get('social-management-pilot@1') as RuleSet;

const minima = (ruleSet: RuleSet, period: ReturnType<typeof periodsOf>[number]) =>
  Object.fromEntries(ruleSet.requirements.map((r) => [r.key, minimumFor(r, ruleSet, period)]));

describe('minimum pro-rated by the months a partial year touches', () => {
  const [half, full, lastHalf] = periodsOf(service, { start: '2024-07-01', end: '2026-06-30' });

  it('rounds July–December up as in the SPEC table', () => {
    const expected = {
      exchange_events: 2,
      standard_proposals: 3,
      national_papers: 1,
      trained_personnel: 1,
      work_updates: 2,
      media_reports: 1,
    };
    expect(minima(service, half)).toEqual(expected);
    expect(minima(service, lastHalf)).toEqual(expected);
  });

  it('keeps the full minimum for a whole year', () => {
    expect(minima(service, full)).toEqual({
      exchange_events: 3,
      standard_proposals: 5,
      national_papers: 1,
      trained_personnel: 2,
      work_updates: 4,
      media_reports: 2,
    });
  });

  it('counts a period from mid-July as touching six months', () => {
    const [first] = periodsOf(service, { start: '2024-07-15', end: '2026-07-14' });
    expect(minima(service, first)).toEqual(minima(service, half));
  });

  it('never rounds a short period down to zero', () => {
    const [quarter] = periodsOf(service, { start: '2024-10-15', end: '2026-10-14' });
    expect(quarter.months).toBe(3);
    expect(Object.values(minima(service, quarter))).toEqual([1, 2, 1, 1, 1, 1]);
  });

  it('keeps full minima when the rule set turns pro-rating off', () => {
    const noProrate = { ...service, prorate: false };
    expect(minima(noProrate, half)).toEqual(minima(service, full));
  });

  it('never pro-rates a cycle requirement, nor a clipped project year without pro-rating', () => {
    const periods = periodsOf(social, { start: '2024-07-15', end: '2026-12-31' });
    expect(periods[2].months).toBe(6);
    expect(minima(social, periods[2])).toEqual({
      exchange_events: 2,
      work_updates: 2,
      standard_proposals: 3,
      trained_personnel: 3,
    });
    const proRated = { ...social, prorate: true };
    expect(minima(proRated, periods[2])).toEqual({
      exchange_events: 1,
      work_updates: 1,
      standard_proposals: 3,
      trained_personnel: 3,
    });
  });
});
