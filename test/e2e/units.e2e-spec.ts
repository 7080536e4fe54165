import { Activity, AuditLog, Unit } from '@app/db';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  auth,
  badCheckChar,
  counts,
  createUnit,
  creditCode,
  scopeWorld,
  unitPayload,
} from '../fixtures/units';
import { makeUser } from '../fixtures/evidence/world';

describe('units: CRUD, validation and scope', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof scopeWorld>>;
  beforeAll(async () => {
    t = await createTestApp();
    w = await scopeWorld(t);
  });
  afterAll(() => t.close());

  describe('admin CRUD', () => {
    it('creates a unit with the latest rule-set version of its program and audits it', async () => {
      const payload = unitPayload({ name: '  深圳物流示范单位 ', creditCode: creditCode(1).toLowerCase() });
      const res = await t.http.post('/api/v1/units').set(auth(w.admin)).send(payload);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: '深圳物流示范单位',
        creditCode: creditCode(1),
        province: '44',
        program: 'service-industry-demo',
        ruleSetVersion: 2,
        status: 'active',
        contacts: payload.contacts,
      });
      const em = t.orm.em.fork();
      const stored = await em.findOneOrFail(Unit, res.body.id);
      expect(stored.creditCode).toBe(creditCode(1));
      const log = await em.findOneOrFail(AuditLog, { entity: 'unit', entityId: String(res.body.id) });
      expect(log.action).toBe('create');
      expect(log.changes).toMatchObject({ creditCode: [null, creditCode(1)], province: [null, '44'] });
    });

    it('reads, updates (audited diff) and soft-deletes a unit', async () => {
      const u = await createUnit(t, w.admin);
      const got = await t.http.get(`/api/v1/units/${u.id}`).set(auth(w.admin));
      expect(got.status).toBe(200);
      expect(got.body.id).toBe(u.id);

      const patched = await t.http
        .patch(`/api/v1/units/${u.id}`)
        .set(auth(w.admin))
        .send({ status: 'under_evaluation', industry: '电子商务' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ status: 'under_evaluation', industry: '电子商务' });
      const em = t.orm.em.fork();
      const update = await em.findOneOrFail(AuditLog, {
        entity: 'unit',
        entityId: String(u.id),
        action: 'update',
      });
      expect(update.changes).toEqual({
        status: ['active', 'under_evaluation'],
        industry: ['现代物流', '电子商务'],
      });

      const del = await t.http.delete(`/api/v1/units/${u.id}`).set(auth(w.admin));
      expect(del.status).toBe(204);
      expect((await t.http.get(`/api/v1/units/${u.id}`).set(auth(w.admin))).status).toBe(404);
      const list = await t.http.get('/api/v1/units').query({ pageSize: 500 }).set(auth(w.admin));
      expect(list.body.items.map((x: { id: number }) => x.id)).not.toContain(u.id);
      const row = await t.orm.em.fork().findOneOrFail(Unit, u.id);
      expect(row.deletedAt).toBeInstanceOf(Date);
      expect(await t.orm.em.fork().count(AuditLog, { entityId: String(u.id), action: 'delete' })).toBe(1);
      expect((await t.http.delete(`/api/v1/units/${u.id}`).set(auth(w.admin))).status).toBe(404);
    });

    it("ends the sign-in of a deleted unit's users: their sessions stop working and they cannot sign in", async () => {
      const u = await createUnit(t, w.admin);
      const token = await makeUser(t, w.admin, {
        email: 'deleted-unit-user@example.cn',
        role: 'unit',
        unitId: u.id,
      });
      expect((await t.http.get('/api/v1/auth/me').set(auth(token))).status).toBe(200);
      expect((await t.http.delete(`/api/v1/units/${u.id}`).set(auth(w.admin))).status).toBe(204);
      expect((await t.http.get('/api/v1/auth/me').set(auth(token))).status).toBe(401);
      const login = await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'deleted-unit-user@example.cn', password: 'long-enough-password-1' });
      expect(login.status).toBe(401);
      // Users of live units, and users without a unit, still sign in.
      expect((await t.http.get('/api/v1/auth/me').set(auth(w.unitUser))).status).toBe(200);
      expect((await t.http.get('/api/v1/auth/me').set(auth(w.admin))).status).toBe(200);
    });

    it('refuses a second unit with the same credit code (409), even after the first was deleted', async () => {
      const u = await createUnit(t, w.admin);
      const before = await counts(t);
      const dup = await t.http
        .post('/api/v1/units')
        .set(auth(w.admin))
        .send(unitPayload({ creditCode: u.creditCode }));
      expect(dup.status).toBe(409);
      expect(dup.body.errors[0]).toMatchObject({ field: 'creditCode', rule: 'unique' });
      await t.http.delete(`/api/v1/units/${u.id}`).set(auth(w.admin));
      const after = await counts(t);
      const again = await t.http
        .post('/api/v1/units')
        .set(auth(w.admin))
        .send(unitPayload({ creditCode: u.creditCode }));
      expect(again.status).toBe(409);
      expect(await counts(t)).toEqual(after);
      expect(after.units).toBe(before.units);
    });

    it('filters and searches the list', async () => {
      await createUnit(t, w.admin, {
        name: '杭州100%示范_单位',
        province: '33',
        cycleStart: '2025-01-01',
        cycleEnd: '2026-12-31',
        kind: 'regional',
      });
      const q = (query: Record<string, unknown>) =>
        t.http
          .get('/api/v1/units')
          .query({ pageSize: 500, ...query })
          .set(auth(w.admin));
      const byProvince = await q({ province: '33' });
      expect(byProvince.status).toBe(200);
      expect(byProvince.body.items.every((u: { province: string }) => u.province === '33')).toBe(true);
      const cohort = await q({ cohort: 2025 });
      expect(cohort.body.items.map((u: { name: string }) => u.name)).toEqual(['杭州100%示范_单位']);
      expect((await q({ kind: 'regional' })).body.total).toBe(1);
      expect((await q({ q: '100%示范_' })).body.total).toBe(1);
      // Wildcards typed by the user match themselves only.
      expect((await q({ q: '%' })).body.total).toBe(1);
      expect((await q({ q: '_' })).body.total).toBe(1);
      expect((await q({ q: 'a1' })).body.items.map((u: { name: string }) => u.name)).toEqual([
        '广东示范单位 A1',
      ]);
      const code = w.b1.creditCode.slice(9).toLowerCase();
      expect((await q({ q: code })).body.items.map((u: { id: number }) => u.id)).toEqual([w.b1.id]);
      const paged = await q({ pageSize: 2, page: 1 });
      expect(paged.body.items).toHaveLength(2);
      expect(paged.body.total).toBeGreaterThan(2);
      const bad = await q({ cohort: 'soon', province: '99', pageSize: 1000, extra: 1 });
      expect(bad.status).toBe(400);
      expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(
        ['cohort', 'extra', 'pageSize', 'province'].sort(),
      );
    });
  });

  describe('bad input: 400 naming field and rule, nothing changed', () => {
    const post = (body: Record<string, unknown>) =>
      t.http.post('/api/v1/units').set(auth(w.admin)).send(body);

    it.each([
      ['wrong check character', { creditCode: badCheckChar(creditCode(7)) }, 'creditCode', 'isCreditCode'],
      ['I/O/Z/S/V in the code', { creditCode: 'I1440300000000007X' }, 'creditCode', 'isCreditCode'],
      [
        'nested contact e-mail',
        { contacts: [{ name: '李四', email: 'not-mail' }] },
        'contacts.0.email',
        'isEmail',
      ],
      [
        'unknown field in a contact',
        { contacts: [{ name: '李四', email: 'a@b.cn', phone: '1' }] },
        'contacts.0.phone',
        'whitelistValidation',
      ],
      ['unknown field', { color: 'red' }, 'color', 'whitelistValidation'],
      ['province not in the list', { province: '99' }, 'province', 'isIn'],
      ['unknown kind', { kind: 'company' }, 'kind', 'isIn'],
      ['impossible date', { cycleStart: '2023-02-29' }, 'cycleStart', 'isISO8601'],
      ['date with a time', { cycleStart: '2024-07-01T00:00:00Z' }, 'cycleStart', 'isISO8601'],
      ['end before start', { cycleStart: '2025-01-01', cycleEnd: '2024-12-31' }, 'cycleEnd', 'isAfterStart'],
      ['cycle over 5 years', { cycleStart: '2024-01-01', cycleEnd: '2029-01-02' }, 'cycleEnd', 'maxCycle'],
      ['name too long', { name: '名'.repeat(201) }, 'name', 'maxLength'],
      [
        'too many contacts',
        { contacts: Array.from({ length: 21 }, (_, i) => ({ name: 'x', email: `c${i}@b.cn` })) },
        'contacts',
        'arrayMaxSize',
      ],
      ['contacts not an array', { contacts: 'a@b.cn' }, 'contacts', 'isArray'],
      ['unknown status', { status: 'closed' }, 'status', 'isIn'],
      ['unknown program', { program: 'no-such-program' }, 'program', 'isKnownProgram'],
      ['missing name', { name: undefined }, 'name', 'isString'],
    ])('%s', async (_label, override, field, rule) => {
      const before = await counts(t);
      const res = await post(unitPayload(override));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
      expect(typeof res.body.messageZh).toBe('string');
      expect(await counts(t)).toEqual(before);
    });

    it('allows a 5-year cycle exactly', async () => {
      const res = await post(unitPayload({ cycleStart: '2024-01-01', cycleEnd: '2029-01-01' }));
      expect(res.status).toBe(201);
    });

    it('refuses bad updates and leaves the unit as it was', async () => {
      const u = await createUnit(t, w.admin);
      const row = () => t.orm.em.fork().findOneOrFail(Unit, u.id);
      const snapshot = JSON.stringify(await row());
      const before = await counts(t);
      for (const body of [
        { creditCode: badCheckChar(u.creditCode) },
        { cycleEnd: '2024-06-30' }, // before the stored start
        { cycleStart: '2020-01-01' }, // more than 5 years before the stored end
        { contacts: [{ name: 'x', email: 'bad' }] },
        { id: 5 },
        { creditCode: w.a1.creditCode },
      ]) {
        const res = await t.http.patch(`/api/v1/units/${u.id}`).set(auth(w.admin)).send(body);
        expect([400, 409]).toContain(res.status);
        expect(res.body.errors?.length).toBeGreaterThan(0);
      }
      expect(await counts(t)).toEqual(before);
      expect(JSON.stringify(await row())).toBe(snapshot);
      expect((await t.http.patch('/api/v1/units/abc').set(auth(w.admin)).send({})).status).toBe(400);
      expect((await t.http.patch('/api/v1/units/999999').set(auth(w.admin)).send({ name: 'x' })).status).toBe(
        404,
      );
    });

    it('will not move the cycle so that logged activities fall outside it', async () => {
      const u = await createUnit(t, w.admin, { cycleStart: '2024-07-01', cycleEnd: '2026-06-30' });
      const em = t.orm.em.fork();
      em.create(Activity, {
        unit: u.id,
        requirement: 'exchange_events',
        date: '2024-08-15',
        title: '标准化经验交流会',
        status: 'verified',
      });
      await em.flush();
      const before = await counts(t);
      const res = await t.http
        .patch(`/api/v1/units/${u.id}`)
        .set(auth(w.admin))
        .send({ cycleStart: '2024-09-01', cycleEnd: '2026-08-31' });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ field: 'cycleStart', rule: 'activitiesInsideCycle' });
      expect(res.body.messageZh).toContain('2024-08-15');
      expect(await counts(t)).toEqual(before);
      const ok = await t.http
        .patch(`/api/v1/units/${u.id}`)
        .set(auth(w.admin))
        .send({ cycleStart: '2024-08-01', cycleEnd: '2026-07-31' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ cycleStart: '2024-08-01', cycleEnd: '2026-07-31' });
    });
  });

  describe('scope', () => {
    it('supervisor lists only units of own provinces and gets 404 for another province', async () => {
      const list = await t.http.get('/api/v1/units').query({ pageSize: 500 }).set(auth(w.supervisor));
      expect(list.status).toBe(200);
      const ids = list.body.items.map((u: { id: number }) => u.id);
      expect(ids).toEqual(expect.arrayContaining([w.a1.id, w.a2.id]));
      expect(ids).not.toContain(w.b1.id);
      expect(list.body.items.every((u: { province: string }) => u.province === '44')).toBe(true);
      // Asking for another province by filter gives nothing rather than widening the scope.
      const other = await t.http.get('/api/v1/units').query({ province: '33' }).set(auth(w.supervisor));
      expect(other.body).toMatchObject({ items: [], total: 0 });
      expect((await t.http.get(`/api/v1/units/${w.a2.id}`).set(auth(w.supervisor))).status).toBe(200);
      const hidden = await t.http.get(`/api/v1/units/${w.b1.id}`).set(auth(w.supervisor));
      expect(hidden.status).toBe(404);
      expect(hidden.body.messageZh).toBeDefined();
    });

    it('unit user sees only its own unit', async () => {
      const list = await t.http.get('/api/v1/units').set(auth(w.unitUser));
      expect(list.status).toBe(200);
      expect(list.body.items.map((u: { id: number }) => u.id)).toEqual([w.a1.id]);
      expect(list.body.total).toBe(1);
      expect((await t.http.get(`/api/v1/units/${w.a1.id}`).set(auth(w.unitUser))).status).toBe(200);
      expect((await t.http.get(`/api/v1/units/${w.a2.id}`).set(auth(w.unitUser))).status).toBe(404);
      expect((await t.http.get(`/api/v1/units/${w.b1.id}`).set(auth(w.unitUser))).status).toBe(404);
    });

    it('only the admin may create, change or delete units (403, nothing changed)', async () => {
      const before = await counts(t);
      for (const token of [w.supervisor, w.unitUser]) {
        expect((await t.http.post('/api/v1/units').set(auth(token)).send(unitPayload())).status).toBe(403);
        expect(
          (await t.http.patch(`/api/v1/units/${w.a1.id}`).set(auth(token)).send({ name: 'x' })).status,
        ).toBe(403);
        expect((await t.http.delete(`/api/v1/units/${w.a1.id}`).set(auth(token))).status).toBe(403);
      }
      expect((await t.http.get('/api/v1/units')).status).toBe(401);
      expect(await counts(t)).toEqual(before);
    });
  });
});
