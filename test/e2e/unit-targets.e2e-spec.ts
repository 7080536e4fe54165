import { AuditLog, Unit, UnitTarget, User } from '@app/db';
import { ADMIN, createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { bearer, makeActivity, makeUnit, makeUser, PASSWORD, recount } from './compliance.fixtures';

/*
 * SPEC §3 v2 "Unit targets" through the API: PUT/GET of a unit's set, the rules a target must meet
 * (the unit's own requirements and period starts), who may change them, the audit entry, and the
 * compliance figures of the unit and of the scope using the target as the minimum.
 *
 * Today is 2026-05-15 (day 135 of 365). u1 (service-industry-demo v1, calendar years) has the cycle
 * 2025-07-01..2027-06-30: periods start 2025-07-01, 2026-01-01, 2027-01-01. u2 (social-management-pilot,
 * project years, standard_proposals over the whole cycle) has 2025-03-01..2027-02-28: periods start
 * 2025-03-01 and 2026-03-01; whole-cycle requirements only on 2025-03-01.
 */
const TODAY = '2026-05-15';

describe(`unit targets on ${TEST_DB}`, () => {
  let t: TestApp;
  let u1: Unit, u2: Unit, u3: Unit;
  const tokens: Record<string, string> = {};
  const as = (who: string) => bearer(tokens[who]);
  const path = (u: Unit) => `/api/v1/units/${u.id}/targets`;
  const put = (u: Unit, targets: unknown, who = 'admin') =>
    t.http.put(path(u)).set(as(who)).send({ targets });
  const stored = async (u: Unit) => (await t.orm.em.fork().find(UnitTarget, { unit: u.id })).length;
  const auditCount = () => t.orm.em.fork().count(AuditLog, {});

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    const em = t.orm.em.fork();
    u1 = makeUnit(em, { name: '甲单位', province: '44', cycleStart: '2025-07-01', cycleEnd: '2027-06-30' });
    u2 = makeUnit(em, {
      name: '乙试点',
      province: '44',
      program: 'social-management-pilot',
      ruleSetVersion: 1,
      cycleStart: '2025-03-01',
      cycleEnd: '2027-02-28',
    });
    u3 = makeUnit(em, { name: '丙单位', province: '11', cycleStart: '2025-01-01', cycleEnd: '2026-12-31' });
    // u1 in 2026: two verified events (rule 3, pace 1), one verified national media report (rule 2, pace 1).
    makeActivity(em, u1, 'exchange_events', '2026-02-10', 'verified');
    makeActivity(em, u1, 'exchange_events', '2026-03-10', 'verified');
    makeActivity(em, u1, 'media_reports', '2026-04-20', 'verified', { outletLevel: 'national' });
    const sup44 = await makeUser(em, { email: 'sup44@targets.cn', role: 'supervisor', provinces: ['44'] });
    const sup11 = await makeUser(em, { email: 'sup11@targets.cn', role: 'supervisor', provinces: ['11'] });
    const unitUser = await makeUser(em, { email: 'u1@targets.cn', role: 'unit', unit: u1 });
    await em.flush();
    await recount(t);
    tokens.admin = await t.login(ADMIN.email, ADMIN.password);
    tokens.sup44 = await t.login(sup44.email, PASSWORD);
    tokens.sup11 = await t.login(sup11.email, PASSWORD);
    tokens.unit = await t.login(unitUser.email, PASSWORD);
  });
  afterAll(() => t.close());

  const TARGETS = [
    {
      requirement: 'media_reports',
      periodStart: '2026-01-01',
      minimum: 6,
      reason: '任务书第 3.2 条：每年 6 篇',
    },
    { requirement: 'national_papers', periodStart: '2027-01-01', minimum: 2, reason: '任务书第 3.3 条' },
    { requirement: 'exchange_events', periodStart: '2026-01-01', minimum: 2, reason: '任务书第 3.1 条' },
    { requirement: 'trained_personnel', periodStart: '2025-07-01', minimum: 0, reason: '首年不培训' },
  ];

  it('starts empty, then PUT replaces the set and GET gives it back sorted by period, then rule-set order', async () => {
    const empty = await t.http.get(path(u1)).set(as('admin'));
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ targets: [] });

    const res = await put(u1, TARGETS, 'sup44');
    expect(res.status).toBe(200);
    const sorted = [TARGETS[3], TARGETS[2], TARGETS[0], TARGETS[1]];
    expect(res.body).toEqual({ targets: sorted });
    for (const who of ['admin', 'sup44', 'unit']) {
      const got = await t.http.get(path(u1)).set(as(who));
      expect({ who, status: got.status, body: got.body }).toEqual({
        who,
        status: 200,
        body: { targets: sorted },
      });
    }
    // What GET gives can be PUT back unchanged (same shape), and changes nothing.
    const before = await auditCount();
    const again = await put(u1, (await t.http.get(path(u1)).set(as('admin'))).body.targets);
    expect(again.status).toBe(200);
    expect(await auditCount()).toBe(before);
    expect(await stored(u1)).toBe(4);
  });

  it('audits the change with the diff and the reasons', async () => {
    const em = t.orm.em.fork();
    const first = await em.findOneOrFail(
      AuditLog,
      { action: 'targets.update', entity: 'unit', entityId: String(u1.id) },
      { orderBy: { id: 'asc' } },
    );
    const sup = await em.findOneOrFail(User, { email: 'sup44@targets.cn' });
    expect(first.actorId).toBe(sup.id);
    expect(first.changes).toEqual({
      'media_reports 2026-01-01': [null, { minimum: 6, reason: '任务书第 3.2 条：每年 6 篇' }],
      'national_papers 2027-01-01': [null, { minimum: 2, reason: '任务书第 3.3 条' }],
      'exchange_events 2026-01-01': [null, { minimum: 2, reason: '任务书第 3.1 条' }],
      'trained_personnel 2025-07-01': [null, { minimum: 0, reason: '首年不培训' }],
    });

    // Change a reason, remove one, add one: one entry with exactly those three.
    const next = [
      { ...TARGETS[0], reason: '  任务书（修订版）第 3.2 条  ' },
      TARGETS[1],
      TARGETS[2],
      { requirement: 'work_updates', periodStart: '2027-01-01', minimum: 1, reason: '半年 1 篇' },
    ];
    const res = await put(u1, next);
    expect(res.status).toBe(200);
    expect(res.body.targets).toContainEqual({ ...TARGETS[0], reason: '任务书（修订版）第 3.2 条' });
    const latest = await t.orm.em
      .fork()
      .findOneOrFail(
        AuditLog,
        { action: 'targets.update', entityId: String(u1.id) },
        { orderBy: { id: 'desc' } },
      );
    expect(latest.actorEmail).toBe(ADMIN.email);
    expect(latest.changes).toEqual({
      'media_reports 2026-01-01': [
        { minimum: 6, reason: '任务书第 3.2 条：每年 6 篇' },
        { minimum: 6, reason: '任务书（修订版）第 3.2 条' },
      ],
      'trained_personnel 2025-07-01': [{ minimum: 0, reason: '首年不培训' }, null],
      'work_updates 2027-01-01': [null, { minimum: 1, reason: '半年 1 篇' }],
    });
    expect(await stored(u1)).toBe(4);
  });

  it('uses the target as the minimum of the unit: ruleMinimum stays the rule set’s, status follows the target', async () => {
    const res = await t.http.get(`/api/v1/units/${u1.id}/compliance`).set(as('unit'));
    expect(res.status).toBe(200);
    const by = Object.fromEntries(res.body.requirements.map((r: { key: string }) => [r.key, r]));
    // Rule 3, target 2: two verified is met (without the target: on track, one still needed).
    expect(by.exchange_events).toMatchObject({
      verified: 2,
      minimum: 2,
      ruleMinimum: 3,
      targeted: true,
      remaining: 0,
      status: 'met',
    });
    // Rule 2 (pace 1: on track), target 6: pace (2·6·135 + 365) div 730 = 2, one verified is a shortfall.
    expect(by.media_reports).toMatchObject({
      verified: 1,
      minimum: 6,
      ruleMinimum: 2,
      targeted: true,
      pace: 2,
      remaining: 5,
      status: 'shortfall',
    });
    expect(by.work_updates).toMatchObject({ minimum: 4, ruleMinimum: 4, targeted: false });
    // The cumulative chart's pace line follows the target too.
    const series = res.body.series.media_reports as { pace: number }[];
    expect(series[series.length - 1].pace).toBe(2);

    // Targets are per period: the 2027 ones replace the pro-rated minimums of January–June 2027 only.
    const later = await t.http.get(`/api/v1/units/${u1.id}/compliance?at=2027-03-01`).set(as('admin'));
    const by27 = Object.fromEntries(later.body.requirements.map((r: { key: string }) => [r.key, r]));
    expect(by27.national_papers).toMatchObject({ minimum: 2, ruleMinimum: 1, targeted: true });
    expect(by27.work_updates).toMatchObject({ minimum: 1, ruleMinimum: 2, targeted: true });
    expect(by27.media_reports).toMatchObject({ minimum: 1, ruleMinimum: 1, targeted: false });
    const earlier = await t.http.get(`/api/v1/units/${u1.id}/compliance?at=2025-09-01`).set(as('admin'));
    expect(earlier.body.requirements.every((r: { targeted: boolean }) => !r.targeted)).toBe(true);
  });

  it('gives the same figures in the scope compliance row', async () => {
    const unitView = await t.http.get(`/api/v1/units/${u1.id}/compliance`).set(as('admin'));
    for (const who of ['admin', 'sup44', 'unit']) {
      const res = await t.http.get('/api/v1/compliance').set(as(who));
      expect(res.status).toBe(200);
      const row = res.body.rows.find((r: { unit: { id: number } }) => r.unit.id === u1.id);
      expect(row.overall).toBe(unitView.body.overall);
      for (const r of unitView.body.requirements) {
        const { verified, pending, minimum, ruleMinimum, targeted, pace, remaining, status } = r;
        expect({ who, key: r.key, cell: row.requirements[r.key] }).toEqual({
          who,
          key: r.key,
          cell: expect.objectContaining({
            verified,
            pending,
            minimum,
            ruleMinimum,
            targeted,
            pace,
            remaining,
            status,
          }),
        });
      }
      expect(row.requirements.media_reports).toMatchObject({ minimum: 6, status: 'shortfall' });
    }
    // A unit without targets in the same scope keeps the rule set's minimums.
    const res = await t.http.get('/api/v1/compliance').set(as('admin'));
    const other = res.body.rows.find((r: { unit: { id: number } }) => r.unit.id === u3.id);
    expect(other.requirements.media_reports).toMatchObject({ minimum: 2, ruleMinimum: 2, targeted: false });
  });

  describe('refuses bad targets with a 400 naming the field, storing nothing', () => {
    const ok = (extra: object = {}) => ({
      requirement: 'exchange_events',
      periodStart: '2026-01-01',
      minimum: 3,
      reason: '任务书',
      ...extra,
    });
    // Every row names its rule: it.each would hand a missing last value to the test as Jest's `done`.
    const CASES: [string, () => Unit, unknown, string, string][] = [
      [
        'a periodStart that starts no period',
        () => u1,
        [ok(), ok({ requirement: 'media_reports', periodStart: '2026-02-01' })],
        'targets.1.periodStart',
        'isPeriodStart',
      ],
      [
        'a periodStart before the cycle',
        () => u1,
        [ok({ periodStart: '2025-01-01' })],
        'targets.0.periodStart',
        'isPeriodStart',
      ],
      [
        'a periodStart after the cycle',
        () => u1,
        [ok({ periodStart: '2028-01-01' })],
        'targets.0.periodStart',
        'isPeriodStart',
      ],
      [
        'a date that is no date',
        () => u1,
        [ok({ periodStart: '2026-02-30' })],
        'targets.0.periodStart',
        'isISO8601',
      ],
      [
        'a requirement of another program (national_papers for a social-management pilot)',
        () => u2,
        [ok({ requirement: 'national_papers', periodStart: '2025-03-01' })],
        'targets.0.requirement',
        'isRuleSetRequirement',
      ],
      [
        'an unknown requirement',
        () => u1,
        [ok({ requirement: 'no_such_kind' })],
        'targets.0.requirement',
        'isRuleSetRequirement',
      ],
      [
        'a whole-cycle requirement on a later period',
        () => u2,
        [ok({ requirement: 'standard_proposals', periodStart: '2026-03-01' })],
        'targets.0.periodStart',
        'isPeriodStart',
      ],
      [
        'a calendar year start for a project-year program',
        () => u2,
        [ok({ periodStart: '2026-01-01' })],
        'targets.0.periodStart',
        'isPeriodStart',
      ],
      ['a negative minimum', () => u1, [ok({ minimum: -1 })], 'targets.0.minimum', 'min'],
      ['a minimum above 10000', () => u1, [ok({ minimum: 10001 })], 'targets.0.minimum', 'max'],
      ['a fractional minimum', () => u1, [ok({ minimum: 1.5 })], 'targets.0.minimum', 'isInt'],
      ['a minimum as text', () => u1, [ok({ minimum: '3' })], 'targets.0.minimum', 'isInt'],
      ['a blank reason', () => u1, [ok({ reason: '   ' })], 'targets.0.reason', 'minLength'],
      ['no reason', () => u1, [ok({ reason: undefined })], 'targets.0.reason', 'isString'],
      [
        'a reason over 500 characters',
        () => u1,
        [ok({ reason: '理'.repeat(501) })],
        'targets.0.reason',
        'maxLength',
      ],
      ['an unknown field', () => u1, [ok({ unit: 5 })], 'targets.0.unit', 'whitelistValidation'],
      [
        'the same requirement and period twice',
        () => u1,
        [ok(), ok({ requirement: 'media_reports' }), ok({ minimum: 4 })],
        'targets.2.periodStart',
        'unique',
      ],
      ['more than 200 targets', () => u1, Array.from({ length: 201 }, () => ok()), 'targets', 'arrayMaxSize'],
      ['no list', () => u1, undefined, 'targets', 'isArray'],
      ['a list of text', () => u1, ['exchange_events'], 'targets.0', 'nestedValidation'],
    ];

    it.each(CASES)('%s', async (_label, unit, targets, field, rule) => {
      const u = unit();
      const before = { targets: await stored(u), audit: await auditCount() };
      const current = (await t.http.get(path(u)).set(as('admin'))).body;
      const res = await put(u, targets);
      expect({ status: res.status, body: res.status === 400 ? undefined : res.body }).toEqual({
        status: 400,
        body: undefined,
      });
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
      expect(res.body.messageZh).toEqual(expect.any(String));
      expect({ targets: await stored(u), audit: await auditCount() }).toEqual(before);
      expect((await t.http.get(path(u)).set(as('admin'))).body).toEqual(current);
    });

    it('accepts the cycle start for a whole-cycle requirement and every project-year start', async () => {
      const res = await put(u2, [
        ok({ requirement: 'standard_proposals', periodStart: '2025-03-01', minimum: 1 }),
        ok({ periodStart: '2026-03-01' }),
        ok({ periodStart: '2025-03-01' }),
      ]);
      expect(res.status).toBe(200);
      expect(res.body.targets.map((x: { periodStart: string }) => x.periodStart)).toEqual([
        '2025-03-01',
        '2025-03-01',
        '2026-03-01',
      ]);
      const c = await t.http.get(`/api/v1/units/${u2.id}/compliance`).set(as('admin'));
      const by = Object.fromEntries(c.body.requirements.map((r: { key: string }) => [r.key, r]));
      expect(by.standard_proposals).toMatchObject({ minimum: 1, ruleMinimum: 3, targeted: true });
      expect(by.exchange_events).toMatchObject({ minimum: 3, ruleMinimum: 2, targeted: true });
      expect(await put(u2, []).then((r) => r.status)).toBe(200);
      expect(await stored(u2)).toBe(0);
    });
  });

  describe('who may change them', () => {
    const one = [{ requirement: 'exchange_events', periodStart: '2025-01-01', minimum: 1, reason: '任务书' }];

    it('a supervisor of another province gets 404 for reading and for changing', async () => {
      const before = await auditCount();
      expect((await t.http.get(path(u1)).set(as('sup11'))).status).toBe(404);
      const res = await put(u1, [], 'sup11');
      expect(res.status).toBe(404);
      expect(await stored(u1)).toBe(4);
      expect(await auditCount()).toBe(before);
      // …while their own province's unit is theirs to change.
      expect((await put(u3, one, 'sup11')).status).toBe(200);
      expect((await put(u3, [], 'sup44')).status).toBe(404);
    });

    it('a unit user reads its own unit’s targets but may not change them (403, like other unit writes)', async () => {
      const before = await auditCount();
      expect((await t.http.get(path(u1)).set(as('unit'))).status).toBe(200);
      expect((await t.http.get(path(u3)).set(as('unit'))).status).toBe(404);
      const res = await put(u1, [], 'unit');
      expect(res.status).toBe(403);
      expect((await put(u3, [], 'unit')).status).toBe(403);
      expect(await stored(u1)).toBe(4);
      expect(await auditCount()).toBe(before);
    });

    it('a deleted unit or a bad id is not found or refused, never a 500', async () => {
      const em = t.orm.em.fork();
      const gone = makeUnit(em, {
        name: '已删除',
        province: '44',
        cycleStart: '2025-01-01',
        cycleEnd: '2026-12-31',
        deletedAt: new Date(),
      });
      await em.flush();
      expect((await t.http.get(path(gone)).set(as('admin'))).status).toBe(404);
      expect((await put(gone, one)).status).toBe(404);
      expect((await t.http.get('/api/v1/units/99999999999/targets').set(as('admin'))).status).toBe(400);
      expect(
        (await t.http.put('/api/v1/units/abc/targets').set(as('admin')).send({ targets: [] })).status,
      ).toBe(400);
    });
  });

  describe('a cycle change may not leave a target outside the new periods', () => {
    const patch = (body: object) => t.http.patch(`/api/v1/units/${u1.id}`).set(as('admin')).send(body);

    it('refuses a later start (the 2025-07-01 target of an earlier PUT) naming cycleStart', async () => {
      expect(
        (await put(u1, [...(await t.http.get(path(u1)).set(as('admin'))).body.targets, TARGETS[3]])).status,
      ).toBe(200);
      const before = await auditCount();
      const res = await patch({ cycleStart: '2025-08-01' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'cycleStart', rule: 'targetsInsideCycle' }),
      ]);
      expect(await auditCount()).toBe(before);
      const unit = await t.orm.em.fork().findOneOrFail(Unit, u1.id);
      expect(unit.cycleStart).toBe('2025-07-01');
    });

    it('refuses an end before a target’s period naming cycleEnd', async () => {
      const res = await patch({ cycleEnd: '2026-12-31' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'cycleEnd', rule: 'targetsInsideCycle' }),
      ]);
      expect((await t.orm.em.fork().findOneOrFail(Unit, u1.id)).cycleEnd).toBe('2027-06-30');
    });

    it('refuses a program whose rule set lacks a target’s requirement naming program', async () => {
      // A unit with no activities (activities of missing requirements are refused before targets).
      const em = t.orm.em.fork();
      const u4 = makeUnit(em, {
        name: '丁单位',
        province: '44',
        cycleStart: '2025-01-01',
        cycleEnd: '2026-12-31',
      });
      await em.flush();
      const target = {
        requirement: 'media_reports',
        periodStart: '2026-01-01',
        minimum: 1,
        reason: '任务书',
      };
      expect((await put(u4, [target])).status).toBe(200);
      const res = await t.http
        .patch(`/api/v1/units/${u4.id}`)
        .set(as('admin'))
        .send({ program: 'social-management-pilot' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'program', rule: 'targetsInRuleSet' }),
      ]);
      expect((await t.orm.em.fork().findOneOrFail(Unit, u4.id)).program).toBe('service-industry-demo');
    });

    it('accepts a change every target still fits, and one after the targets are removed', async () => {
      expect((await patch({ cycleEnd: '2027-12-31' })).status).toBe(200);
      const kept = (await t.http.get(path(u1)).set(as('admin'))).body.targets.filter(
        (x: { periodStart: string }) => x.periodStart !== '2025-07-01',
      );
      expect((await put(u1, kept)).status).toBe(200);
      expect((await patch({ cycleStart: '2025-08-01' })).status).toBe(200);
      expect((await patch({ cycleStart: '2025-07-01', cycleEnd: '2027-06-30' })).status).toBe(200);
    });
  });
});
