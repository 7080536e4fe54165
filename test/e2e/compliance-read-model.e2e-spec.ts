import { ComplianceCount } from '@app/db';
import { ComplianceCounts } from '../../apps/tracker/src/compliance/compliance-counts.service';
import { migrate } from '../../apps/tracker/src/setup';
import { activityPayload, makeUser } from '../fixtures/evidence/world';
import { submitWithEvidence } from '../support/evidence';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { makeUnit, recount } from './compliance.fixtures';

/*
 * The stored counts and the scope views each instance keeps in memory: a change made through one
 * instance shows at once in the figures another instance serves (the provinces' versions are in the
 * database), and compliance:rebuild's check finds and mends stored counts that drifted.
 */
describe('compliance read model across instances', () => {
  let a: TestApp;
  let b: TestApp;
  let adminA: string;
  let adminB: string;
  let unitId: number;
  let otherId: number;
  const today = '2026-05-15';

  beforeAll(async () => {
    a = await createTestApp({}, { today });
    b = await createTestApp({ DATABASE_URL: a.databaseUrl, DATA_DIR: a.dataDir }, { today });
    const em = a.orm.em.fork();
    const unit = makeUnit(em, {
      name: '甲单位',
      province: '44',
      cycleStart: '2026-01-01',
      cycleEnd: '2027-12-31',
    });
    const other = makeUnit(em, {
      name: '乙单位',
      province: '33',
      cycleStart: '2026-01-01',
      cycleEnd: '2027-12-31',
    });
    await em.flush();
    await recount(a);
    unitId = unit.id;
    otherId = other.id;
    adminA = await a.login(ADMIN.email, ADMIN.password);
    adminB = await b.login(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const national = async (t: TestApp, token: string) =>
    (await t.http.get('/api/v1/compliance').set({ authorization: `Bearer ${token}` })).body;
  const rowOf = (view: { rows: { unit: { id: number } }[] }, id: number) =>
    view.rows.find((r) => r.unit.id === id) as unknown as {
      unit: { name: string };
      requirements: Record<string, { verified: number; pending: number; minimum: number }>;
    };
  const versions = async (t: TestApp) =>
    Object.fromEntries(
      (
        await t.orm.em
          .fork()
          .getConnection()
          .execute<{ province: string; version: number }[]>(
            `select province, version from compliance_versions where province in ('44', '33')`,
          )
      ).map((r: { province: string; version: number }) => [r.province, Number(r.version)]),
    );

  it('shows a change made on the other instance in the next answer', async () => {
    expect(rowOf(await national(a, adminA), unitId).requirements.exchange_events.verified).toBe(0);
    const unitView = async () =>
      (
        await a.http.get(`/api/v1/units/${unitId}/compliance`).set({ authorization: `Bearer ${adminA}` })
      ).body.requirements.find((r: { key: string }) => r.key === 'exchange_events');
    expect(await unitView()).toMatchObject({ verified: 0, pending: 0 });
    const before = await versions(a);

    const as = (path: string, method: 'post' | 'patch' | 'put' = 'post') =>
      b.http[method](path).set({ authorization: `Bearer ${adminB}` });
    const created = await as('/api/v1/activities').send(
      activityPayload('exchange_events', { unitId, date: '2026-03-01' }),
    );
    expect(created.status).toBe(201);
    // Logged as a draft: nothing counts yet, and nothing is pending.
    expect(rowOf(await national(a, adminA), unitId).requirements.exchange_events).toMatchObject({
      verified: 0,
      pending: 0,
    });
    await submitWithEvidence(b.http, created.body.id, { authorization: `Bearer ${adminB}` });
    expect(rowOf(await national(a, adminA), unitId).requirements.exchange_events.pending).toBe(1);
    await as(`/api/v1/activities/${created.body.id}/verify`);
    expect(rowOf(await national(a, adminA), unitId).requirements.exchange_events).toMatchObject({
      verified: 1,
      pending: 0,
    });
    // One unit's view, kept by instance a, follows too (its province's version comes with the unit).
    expect(await unitView()).toMatchObject({ verified: 1, pending: 0 });

    // A rename and a target are changes to what the views show too.
    expect((await as(`/api/v1/units/${unitId}`, 'patch').send({ name: '甲单位（更名）' })).status).toBe(200);
    const target = {
      requirement: 'exchange_events',
      periodStart: '2026-01-01',
      minimum: 7,
      reason: '任务书',
    };
    expect((await as(`/api/v1/units/${unitId}/targets`, 'put').send({ targets: [target] })).status).toBe(200);
    const row = rowOf(await national(a, adminA), unitId);
    expect(row.unit.name).toBe('甲单位（更名）');
    expect(row.requirements.exchange_events.minimum).toBe(7);

    // Only the changed unit's province moved on; the other province's cached views stay valid.
    const after = await versions(a);
    expect(after['44']).toBeGreaterThan(before['44']);
    expect(after['33']).toBe(before['33']);
    expect(rowOf(await national(a, adminA), otherId).requirements.exchange_events.verified).toBe(0);
  });

  it('finds stored counts that drifted from the activities, and rebuild mends them', async () => {
    const counts = a.app.get(ComplianceCounts);
    expect(await counts.check()).toEqual([]);
    await a.orm.em.fork().nativeUpdate(ComplianceCount, { unit: unitId }, { verified: 99 });
    await a.orm.em.fork().nativeUpdate(ComplianceCount, { unit: otherId }, { pending: 0 });
    // Written behind the services' back (no version raised): instance a still answers from memory, while
    // b, which has not computed the national view yet, reads the drifted row.
    expect(rowOf(await national(a, adminA), unitId).requirements.exchange_events.verified).toBe(1);
    expect(rowOf(await national(b, adminB), unitId).requirements.exchange_events.verified).toBe(99);
    const drift = await counts.check();
    expect(drift).toEqual([
      {
        unitId,
        requirement: 'exchange_events',
        periodStart: '2026-01-01',
        stored: { verified: 99, pending: 0 },
        recomputed: { verified: 1, pending: 0 },
      },
    ]);
    const progress: number[] = [];
    expect(await counts.rebuild((done) => progress.push(done))).toEqual({ units: 2 });
    expect(progress).toEqual([1, 2]);
    expect(await counts.check()).toEqual([]);
    expect(rowOf(await national(a, adminA), unitId).requirements.exchange_events.verified).toBe(1);
  });

  it('completes a read model left part-filled (a start stopped mid-fill) at the next start', async () => {
    const counts = a.app.get(ComplianceCounts);
    const stored = await a.orm.em.fork().count(ComplianceCount, { unit: unitId });
    expect(stored).toBeGreaterThan(0);
    // As if the fill had stopped before reaching this unit.
    await a.orm.em.fork().nativeDelete(ComplianceCount, { unit: unitId });
    expect(await counts.uncountedUnits()).toEqual([unitId]);
    await migrate(a.app);
    expect(await counts.uncountedUnits()).toEqual([]);
    expect(await a.orm.em.fork().count(ComplianceCount, { unit: unitId })).toBe(stored);
    expect(await counts.check()).toEqual([]);
  });

  it('keeps the figures of a unit user, a supervisor and the admin equal', async () => {
    const unitUser = await makeUser(b, adminB, { email: 'rm-unit@example.cn', role: 'unit', unitId });
    const sup = await makeUser(b, adminB, {
      email: 'rm-sup@example.cn',
      role: 'supervisor',
      provinces: ['44'],
    });
    const get = async (t: TestApp, token: string, path: string) =>
      (await t.http.get(path).set({ authorization: `Bearer ${token}` })).body;
    const own = rowOf(await get(a, unitUser, '/api/v1/compliance'), unitId);
    const province = rowOf(await get(a, sup, '/api/v1/compliance?province=44'), unitId);
    const all = rowOf(await national(a, adminA), unitId);
    expect(own).toEqual(all);
    expect(province).toEqual(all);
    const single = await get(a, unitUser, `/api/v1/units/${unitId}/compliance`);
    const events = single.requirements.find((r: { key: string }) => r.key === 'exchange_events');
    expect(events).toMatchObject({ verified: all.requirements.exchange_events.verified, minimum: 7 });
  });
});
