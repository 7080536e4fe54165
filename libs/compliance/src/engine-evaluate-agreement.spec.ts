import { join } from 'node:path';
import { addDays } from './dates';
import { evaluate, evaluateCounts } from './engine';
import { periodsOf, requirementPeriod } from './periods';
import { loadRuleSetsFromDir } from './rule-set';
import type { ActivityFact, ActivityStatus, RequirementCounts, RuleSet } from './types';

const ruleSets = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets'));
const STANDARD_LEVELS = ['international', 'national', 'industry', 'local', 'group', 'enterprise'];
const STANDARD_KINDS = ['proposal', 'implementation_report'];
const JOURNAL_LEVELS = ['national', 'provincial', 'other'];
const MEDIA_LEVELS = ['national', 'provincial', 'municipal', 'other'];

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFacts(ruleSet: RuleSet, start: string, days: number, n: number, seed: number): ActivityFact[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const statuses: ActivityStatus[] = ['draft', 'submitted', 'verified', 'verified', 'rejected'];
  return Array.from({ length: n }, () => ({
    requirement: pick(ruleSet.requirements).key,
    date: addDays(start, Math.floor(next() * days)),
    status: pick(statuses),
    attributes: {
      standardLevel: pick(STANDARD_LEVELS),
      standardKind: pick([...STANDARD_KINDS, undefined]),
      journalLevel: pick(JOURNAL_LEVELS),
      outletLevel: pick(MEDIA_LEVELS),
      personKey: pick(['A', 'B', 'C', 'D', '', null]),
    },
  }));
}

/** What a grouped SQL query would return: written independently of countFacts(). */
function sqlLikeCounts(
  ruleSet: RuleSet,
  cycle: { start: string; end: string },
  facts: ActivityFact[],
  at: string,
) {
  const counts: Record<string, RequirementCounts> = {};
  for (const req of ruleSet.requirements) {
    const period = requirementPeriod(req, ruleSet, cycle, at);
    const rows = facts.filter(
      (f) =>
        f.requirement === req.key &&
        f.date >= period.start &&
        f.date <= period.end &&
        req.qualifies.some((alternative) =>
          alternative.every((c) => c.in.some((v) => v === f.attributes[c.field])),
        ),
    );
    if (req.distinctBy) {
      const key = (f: ActivityFact) => f.attributes[req.distinctBy as string]?.trim() || null;
      const verified = new Set(rows.filter((f) => f.status === 'verified').map(key));
      verified.delete(null);
      const pending = new Set(
        rows
          .filter((f) => f.status === 'submitted')
          .map(key)
          .filter((k) => !verified.has(k)),
      );
      pending.delete(null);
      counts[req.key] = { verified: verified.size, pending: pending.size };
    } else {
      counts[req.key] = {
        verified: rows.filter((f) => f.status === 'verified').length,
        pending: rows.filter((f) => f.status === 'submitted').length,
      };
    }
  }
  return counts;
}

describe('evaluate(facts) agrees with evaluateCounts(counts)', () => {
  it.each([
    ['service-industry-demo@1', { start: '2024-07-01', end: '2026-06-30' }, 1],
    ['service-industry-demo@1', { start: '2027-03-15', end: '2029-03-14' }, 2],
    ['service-industry-demo@2', { start: '2024-07-01', end: '2026-06-30' }, 4],
    ['social-management-pilot@1', { start: '2024-07-15', end: '2026-12-31' }, 3],
  ])('for %s over %j', (key, cycle, seed) => {
    const ruleSet = ruleSets.get(key) as RuleSet;
    const facts = randomFacts(ruleSet, addDays(cycle.start, -30), 800, 400, seed);
    const todays = [cycle.start, '2025-01-01', '2025-06-30', '2026-06-30', '2028-02-29', '2030-01-01'];
    for (const today of todays) {
      for (const at of [today, ...periodsOf(ruleSet, cycle).map((p) => p.end)]) {
        const counts = sqlLikeCounts(ruleSet, cycle, facts, at);
        expect(evaluate(ruleSet, cycle, facts, today, at)).toEqual(
          evaluateCounts(ruleSet, cycle, counts, today, at),
        );
      }
    }
  });

  it('treats missing counts as zero', () => {
    const ruleSet = ruleSets.get('service-industry-demo@1') as RuleSet;
    const cycle = { start: '2025-01-01', end: '2026-12-31' };
    const zeros = Object.fromEntries(ruleSet.requirements.map((r) => [r.key, { verified: 0, pending: 0 }]));
    expect(evaluateCounts(ruleSet, cycle, {}, '2025-08-01')).toEqual(
      evaluateCounts(ruleSet, cycle, zeros, '2025-08-01'),
    );
    expect(evaluateCounts(ruleSet, cycle, {}, '2025-08-01')).toEqual(
      evaluate(ruleSet, cycle, [], '2025-08-01'),
    );
  });
});
