import {
  type ActivityStatus,
  addDays,
  addMonths,
  cumulativeByMonth,
  cyclePeriod,
  evaluate,
  periodsOf,
  requirementPeriod,
  type UnitTarget as EngineTarget,
  verifiedDates,
} from '@app/compliance';
import { Activity, ComplianceCount, Unit, UnitTarget } from '@app/db';
import { addEvidence } from '../support/evidence';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { activityPayload } from '../fixtures/evidence/world';
import { ComplianceCounts } from '../../apps/tracker/src/compliance/compliance-counts.service';
import { ComplianceService } from '../../apps/tracker/src/compliance/compliance.service';
import { activityFact } from '../../apps/tracker/src/compliance/compliance.facts';
import { RuleSetsService } from '../../apps/tracker/src/rule-sets/rule-sets.service';
import { DEMO_REQUIREMENTS } from '../../apps/tracker/src/demo/demo-data';
import { makeActivity, makeUnit, recount } from './compliance.fixtures';

/*
 * Property: for random units and activities, the grouped SQL behind forScope() and forUnit() gives exactly
 * what the pure engine's evaluate() gives on the same activities loaded into memory. Both rule sets
 * (calendar years with pro-rating; project years with whole-cycle requirements), cycles that have ended,
 * have not started or share dates, unqualified and missing attributes, padded and empty person keys,
 * deleted records and dates outside the cycle are all mixed in. Some units carry unit targets (SPEC §3 v2)
 * on random periods of theirs, which both sides must use as the minimum.
 */
const SEED = Number(process.env.COMPLIANCE_SEED ?? 20260515);

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  return { next, int, pick };
}

const PROGRAMS = [
  { program: 'service-industry-demo', version: 1 },
  // v2: standards qualify by alternatives (a proposal at four levels, or an implementation report on a
  // national standard); both kinds are drawn at every level below.
  { program: 'service-industry-demo', version: 2 },
  { program: 'social-management-pilot', version: 1 },
] as const;
const STATUSES: ActivityStatus[] = ['draft', 'submitted', 'verified', 'verified', 'rejected'];
// Few people, written with and without surrounding whitespace (incl. the ideographic space), so SQL must
// trim exactly like String.prototype.trim() to find the same persons.
const PERSON_KEYS = ['P1', ' P1', 'P1\n', 'p1', 'P2', '\u3000P2', 'P3\t', 'P3', '', '  ', null];
const REGISTRY = new RuleSetsService();
/** The values of a choice field, from the kind catalogue. */
const valuesOf = (field: string) => REGISTRY.field(field)!.values!.map((v) => v.value);
const STANDARD_LEVELS = valuesOf('standardLevel');
const REQUIREMENTS = [
  ...DEMO_REQUIREMENTS,
  'standard_proposals',
  'trained_personnel',
  'trained_personnel',
  'unknown_key',
];
const SHARED_STARTS = ['2024-07-01', '2025-01-01', '2025-07-01'];

describe(`compliance: SQL counts agree with the engine (seed ${SEED})`, () => {
  let t: TestApp;
  let service: ComplianceService;
  let ruleSets: RuleSetsService;
  const units: Unit[] = [];
  const facts = new Map<number, ReturnType<typeof activityFact>[]>();
  const targets = new Map<number, EngineTarget[]>();
  const targetsOf = (u: Unit) => targets.get(u.id) ?? [];

  beforeAll(async () => {
    t = await createTestApp({}, { today: '2026-05-15' });
    service = t.app.get(ComplianceService);
    ruleSets = t.app.get(RuleSetsService);
    const r = rng(SEED);
    const em = t.orm.em.fork();
    for (let i = 0; i < 40; i++) {
      const { program, version } = r.pick(PROGRAMS);
      const cycleStart =
        r.next() < 0.5
          ? r.pick(SHARED_STARTS)
          : `${r.int(2023, 2027)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
      const cycleEnd = addDays(addMonths(cycleStart, 12 * r.int(1, 3) - r.int(0, 5)), -1);
      const unit = makeUnit(em, {
        name: `单位${String(i).padStart(2, '0')}`,
        province: r.pick(['11', '44', '31']),
        program,
        ruleSetVersion: version,
        cycleStart,
        cycleEnd,
      });
      units.push(unit);
      const n = r.int(0, 60);
      for (let j = 0; j < n; j++) {
        // mostly inside the cycle; a few a month outside it, which no period may count
        const date = addDays(
          cycleStart,
          r.int(-31, 31 + Math.round((Date.parse(cycleEnd) - Date.parse(cycleStart)) / 864e5)),
        );
        makeActivity(em, unit, r.pick(REQUIREMENTS), date, r.pick(STATUSES), {
          standardLevel: r.next() < 0.2 ? null : r.pick(STANDARD_LEVELS),
          standardKind: r.next() < 0.2 ? null : r.pick(valuesOf('standardKind')),
          journalLevel: r.next() < 0.2 ? null : r.pick(valuesOf('journalLevel')),
          outletLevel: r.next() < 0.2 ? null : r.pick(valuesOf('outletLevel')),
          personKey: r.pick(PERSON_KEYS),
          deletedAt: r.next() < 0.1 ? new Date() : null,
        });
      }
    }
    // Targets from a generator of their own, so the activities stay those of the seed.
    const rt = rng(SEED + 1);
    const chosen = new Map<Unit, EngineTarget[]>();
    for (const unit of units) {
      if (rt.next() < 0.5) continue;
      const ruleSet = ruleSets.get(unit.program, unit.ruleSetVersion);
      const cycle = { start: unit.cycleStart, end: unit.cycleEnd };
      const list: EngineTarget[] = [];
      for (let k = rt.int(1, 6); k > 0; k--) {
        const req = rt.pick(ruleSet.requirements);
        const periods = req.period === 'cycle' ? [cyclePeriod(cycle)] : periodsOf(ruleSet, cycle);
        const periodStart = rt.pick(periods).start;
        if (list.some((x) => x.requirement === req.key && x.periodStart === periodStart)) continue;
        const target = { requirement: req.key, periodStart, minimum: rt.int(0, 8) };
        list.push(target);
        em.create(UnitTarget, { unit, ...target, reason: '任务书' });
      }
      chosen.set(unit, list);
    }
    await em.flush();
    await recount(t);
    for (const [unit, list] of chosen) targets.set(unit.id, list);
    const all = await t.orm.em.fork().find(Activity, { deletedAt: null });
    for (const u of units) facts.set(u.id, []);
    for (const a of all) facts.get(a.unit.id)!.push(activityFact(a));
  });
  afterAll(() => t.close());

  const moments = [
    { today: '2026-05-15', at: '2026-05-15' },
    { today: '2026-05-15', at: '2025-03-01' },
    { today: '2025-11-30', at: '2025-11-30' },
    { today: '2027-02-10', at: '2024-12-31' },
    { today: '2024-06-01', at: '2028-06-01' },
  ];

  it.each(moments)(
    'forScope equals evaluate() for every unit (at $at, today $today)',
    async ({ today, at }) => {
      const view = await service.forScope({ provinces: null }, at, today);
      expect(view.total).toBe(units.length);
      for (const row of view.rows) {
        const unit = units.find((u) => u.id === row.unit.id)!;
        const ruleSet = ruleSets.get(unit.program, unit.ruleSetVersion);
        const expected = evaluate(
          ruleSet,
          { start: unit.cycleStart, end: unit.cycleEnd },
          facts.get(unit.id)!,
          today,
          at,
          targetsOf(unit),
        );
        const cells = Object.fromEntries(
          expected.requirements.map((x) => [
            x.key,
            {
              verified: x.verified,
              pending: x.pending,
              minimum: x.minimum,
              ruleMinimum: x.ruleMinimum,
              targeted: x.targeted,
              pace: x.pace,
              remaining: x.remaining,
              remainingPending: x.remainingPending,
              daysLeft: x.daysLeft,
              status: x.status,
            },
          ]),
        );
        expect({
          unit: unit.name,
          overall: row.overall,
          period: row.period,
          requirements: row.requirements,
        }).toEqual({
          unit: unit.name,
          overall: expected.overall,
          period: expected.period,
          requirements: cells,
        });
      }
      // The data really exercises the rules: not every number is zero and several statuses occur.
      const statuses = new Set(view.rows.flatMap((r) => Object.values(r.requirements).map((c) => c.status)));
      expect(statuses.size).toBeGreaterThanOrEqual(2);
      // …and targets really replace minimums somewhere (and differ from the rule set's).
      const cells = view.rows.flatMap((r) => Object.values(r.requirements));
      expect(cells.some((c) => c.targeted && c.minimum !== c.ruleMinimum)).toBe(true);
    },
  );

  it.each(moments)(
    'forUnit equals evaluate() and verifiedDates() for every unit (at $at, today $today)',
    async ({ today, at }) => {
      let counted = 0;
      for (const unit of units) {
        const ruleSet = ruleSets.get(unit.program, unit.ruleSetVersion);
        const cycle = { start: unit.cycleStart, end: unit.cycleEnd };
        const unitFacts = facts.get(unit.id)!;
        const expected = evaluate(ruleSet, cycle, unitFacts, today, at, targetsOf(unit));
        const view = await service.forUnit(unit, at, today);
        const { at: _at, unit: _u, ruleSet: _r, periods: _p, series, ...result } = view;
        expect(result).toEqual(expected);
        for (const req of ruleSet.requirements) {
          const period = requirementPeriod(req, ruleSet, cycle, at);
          const r = expected.requirements.find((x) => x.key === req.key)!;
          expect(series[req.key]).toEqual(
            cumulativeByMonth(period, verifiedDates(req, period, unitFacts), r.minimum, today),
          );
          counted += r.verified + r.pending;
        }
      }
      expect(counted).toBeGreaterThan(0);
    },
  );

  it('narrows by province, cohort and unit ids without changing any number', async () => {
    const today = '2026-05-15';
    const all = await service.forScope({ provinces: null }, today, today);
    const byId = new Map(all.rows.map((r) => [r.unit.id, r]));
    const cases = [
      { filter: { provinces: ['44'] }, keep: (u: Unit) => u.province === '44' },
      { filter: { provinces: ['11', '31'], province: '31' }, keep: (u: Unit) => u.province === '31' },
      { filter: { provinces: null, cohort: 2025 }, keep: (u: Unit) => u.cycleStart.startsWith('2025') },
      {
        filter: { provinces: null, unitIds: units.slice(0, 5).map((u) => u.id) },
        keep: (u: Unit) => units.indexOf(u) < 5,
      },
      { filter: { provinces: [] }, keep: () => false },
    ];
    for (const { filter, keep } of cases) {
      const view = await service.forScope(filter, today, today);
      expect(view.rows.map((r) => r.unit.id).sort()).toEqual(
        units
          .filter(keep)
          .map((u) => u.id)
          .sort(),
      );
      for (const row of view.rows) expect(row).toEqual(byId.get(row.unit.id));
    }
  });
});

/*
 * Property: the stored counts (the read model, kept on write) follow any sequence of changes made through
 * the API: after random creates, edits (kind, date, level), submits, reviews, deletes and cycle changes,
 * they equal counts recomputed from the activities, and the scope view equals evaluate() on them.
 */
describe(`compliance: stored counts follow random change sequences (seed ${SEED})`, () => {
  let t: TestApp;
  let admin: string;
  const units: Unit[] = [];
  const TODAY = '2026-05-15';

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    admin = await t.login(ADMIN.email, ADMIN.password);
    const em = t.orm.em.fork();
    for (const [i, { program, version }] of PROGRAMS.entries()) {
      for (const cycleStart of ['2025-03-01', '2025-07-01']) {
        units.push(
          makeUnit(em, {
            name: `变更单位${i}${cycleStart}`,
            province: '44',
            program,
            ruleSetVersion: version,
            cycleStart,
            cycleEnd: addDays(addMonths(cycleStart, 24), -1),
          }),
        );
      }
    }
    await em.flush();
  });
  afterAll(() => t.close());

  it('equal the recomputed counts and the engine after every burst of changes', async () => {
    const r = rng(SEED + 1);
    const api = (method: 'post' | 'patch' | 'delete', path: string, body?: object) =>
      t.http[method](path)
        .set({ authorization: `Bearer ${admin}` })
        .send(body);
    const ids: number[] = [];
    const counts = t.app.get(ComplianceCounts);
    const service = t.app.get(ComplianceService);
    const ruleSets = t.app.get(RuleSetsService);
    const statusesSeen = new Set<number>();
    for (let step = 1; step <= 160; step++) {
      const op =
        ids.length < 5
          ? 'create'
          : r.pick(['create', 'create', 'submit', 'submit', 'verify', 'reject', 'edit', 'delete', 'cycle']);
      const unit = r.pick(units);
      const keys = ruleSets.get(unit.program, unit.ruleSetVersion).requirements.map((q) => q.key);
      const date = addDays('2025-07-01', r.int(0, 318));
      const fields = () => ({
        standardLevel: r.pick(STANDARD_LEVELS),
        standardKind: r.pick(valuesOf('standardKind')),
      });
      let res;
      if (op === 'create') {
        const kind = r.pick(keys) as (typeof DEMO_REQUIREMENTS)[number];
        const extra = kind === 'standard_proposals' ? fields() : {};
        res = await api(
          'post',
          '/api/v1/activities',
          activityPayload(kind, { unitId: unit.id, date, ...extra }),
        );
        if (res.status === 201) {
          ids.push(res.body.id);
          // Most get their evidence; a submit without it is refused and moves nothing.
          if (r.int(0, 4) > 0) await addEvidence(t.http, res.body.id, { authorization: `Bearer ${admin}` });
        }
      } else if (op === 'cycle') {
        const cycleEnd = addDays(unit.cycleEnd, r.pick([-200, -30, 30, 200]));
        res = await api('patch', `/api/v1/units/${unit.id}`, { cycleEnd });
        if (res.status === 200) unit.cycleEnd = cycleEnd;
      } else {
        const id = r.pick(ids);
        if (op === 'edit') res = await api('patch', `/api/v1/activities/${id}`, { date, ...fields() });
        else if (op === 'delete') res = await api('delete', `/api/v1/activities/${id}`);
        else if (op === 'reject')
          res = await api('post', `/api/v1/activities/${id}/reject`, { reason: '材料不全' });
        else res = await api('post', `/api/v1/activities/${id}/${op}`);
      }
      expect(res.status).toBeLessThan(500);
      statusesSeen.add(res.status);
      if (step % 40 !== 0) continue;

      expect(await counts.check()).toEqual([]);
      const facts = new Map<number, ReturnType<typeof activityFact>[]>(units.map((u) => [u.id, []]));
      for (const a of await t.orm.em.fork().find(Activity, { deletedAt: null }))
        facts.get(a.unit.id)!.push(activityFact(a));
      const view = await service.forScope({ provinces: null }, TODAY, TODAY);
      for (const row of view.rows) {
        const unitNow = units.find((u) => u.id === row.unit.id)!;
        const expected = evaluate(
          ruleSets.get(unitNow.program, unitNow.ruleSetVersion),
          { start: unitNow.cycleStart, end: unitNow.cycleEnd },
          facts.get(unitNow.id)!,
          TODAY,
        );
        expect([
          row.overall,
          Object.values(row.requirements).map((c) => [c.verified, c.pending, c.status]),
        ]).toEqual([expected.overall, expected.requirements.map((x) => [x.verified, x.pending, x.status])]);
      }
    }
    // The sequence did change things and was refused sometimes (reviewing a draft, a cycle cutting off activities).
    expect(statusesSeen.has(200) || statusesSeen.has(201)).toBe(true);
    expect([...statusesSeen].some((s) => s >= 400)).toBe(true);
    const stored = await t.orm.em.fork().count(ComplianceCount, {});
    expect(stored).toBeGreaterThan(0);
  });
});
