import { DEMO_REQUIREMENTS } from '../../apps/tracker/src/demo/demo-data';
import { Activity, AuditLog } from '@app/db';
import { submitWithEvidence } from '../support/evidence';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  activityPayload,
  auth,
  daysAgo,
  dbState,
  makeUnit,
  makeUser,
  today,
  world,
} from '../fixtures/evidence/world';
import { addDays } from '@app/compliance';

describe('activities: recording, validation, scope, editing', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof world>>;

  beforeAll(async () => {
    t = await createTestApp();
    w = await world(t);
  });
  afterAll(() => t.close());

  const post = (token: string, body: object) => t.http.post('/api/v1/activities').set(auth(token)).send(body);

  /** A refused request: status, the field named in the error, nothing changed in the database. */
  async function refused(token: string, body: object, status: number, field?: string, rule?: string) {
    const before = await dbState(t);
    const res = await post(token, body);
    expect(res.status).toBe(status);
    if (field) {
      const fields = (res.body.errors ?? []).map((e: { field: string }) => e.field);
      expect(fields).toContain(field);
    }
    if (rule) expect(res.body.errors.find((e: { field: string }) => e.field === field).rule).toBe(rule);
    expect(res.body.messageZh).toBeTruthy();
    expect(await dbState(t)).toBe(before);
    return res;
  }

  it.each(DEMO_REQUIREMENTS)(
    'a unit user records a %s activity as a draft of their own unit',
    async (kind) => {
      const res = await post(w.userGd1, activityPayload(kind));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        requirement: kind,
        status: 'draft',
        unitId: w.gd1.id,
        unitName: w.gd1.name,
      });
      const stored = await t.orm.em.fork().findOneOrFail(Activity, res.body.id, { populate: ['createdBy'] });
      expect(stored.unit.id).toBe(w.gd1.id);
      expect(stored.createdBy?.email).toMatch(/^gd1-/);
      const audit = await t.orm.em
        .fork()
        .find(AuditLog, { entity: 'activity', entityId: String(res.body.id) });
      expect(audit.map((a) => a.action)).toEqual(['create']);
      expect(audit[0].changes).toMatchObject({ requirement: kind, unitId: w.gd1.id });
    },
  );

  it('stores the kind fields, normalises the person key and keeps other kinds empty', async () => {
    const res = await post(w.userGd1, activityPayload('trained_personnel'));
    expect(res.body.personKey).toBe('44010119900101123X');
    const a = await t.orm.em.fork().findOneOrFail(Activity, res.body.id);
    expect(a).toMatchObject({
      personName: '王五',
      personKey: '44010119900101123X',
      journal: null,
      location: null,
    });
    // Full-width digits from a Chinese input method are the same person.
    const fw = await post(
      w.userGd1,
      activityPayload('trained_personnel', { personKey: '４４０１０１１９９００１０１１２３ｘ' }),
    );
    expect(fw.body.personKey).toBe('44010119900101123X');
  });

  it('accepts unqualified levels (city newspaper, provincial journal, group standard) and stores them', async () => {
    const city = await post(
      w.userGd1,
      activityPayload('media_reports', { outlet: '广州日报', outletLevel: 'municipal' }),
    );
    const journal = await post(w.userGd1, activityPayload('national_papers', { journalLevel: 'provincial' }));
    const group = await post(w.userGd1, activityPayload('standard_proposals', { standardLevel: 'group' }));
    for (const r of [city, journal, group]) expect(r.status).toBe(201);
    const em = t.orm.em.fork();
    expect((await em.findOneOrFail(Activity, city.body.id)).outletLevel).toBe('municipal');
    expect((await em.findOneOrFail(Activity, journal.body.id)).journalLevel).toBe('provincial');
    expect((await em.findOneOrFail(Activity, group.body.id)).standardLevel).toBe('group');
  });

  it('an admin records for the unit named, and must name one', async () => {
    const ok = await post(w.admin, { ...activityPayload('work_updates'), unitId: w.zj1.id });
    expect(ok.status).toBe(201);
    expect(ok.body.unitId).toBe(w.zj1.id);
    await refused(w.admin, activityPayload('work_updates'), 400, 'unitId', 'required');
    await refused(w.admin, { ...activityPayload('work_updates'), unitId: 999999 }, 400, 'unitId', 'exists');
  });

  it('refuses a unit user recording for another unit, and supervisors recording at all', async () => {
    await refused(
      w.userGd1,
      { ...activityPayload('work_updates'), unitId: w.gd2.id },
      400,
      'unitId',
      'ownUnit',
    );
    await refused(w.supGd, { ...activityPayload('work_updates'), unitId: w.gd1.id }, 403);
  });

  it.each([
    ['national_papers', 'journal'],
    ['national_papers', 'journalLevel'],
    ['trained_personnel', 'personKey'],
    ['trained_personnel', 'personName'],
    ['media_reports', 'outlet'],
    ['media_reports', 'outletLevel'],
    ['standard_proposals', 'standardLevel'],
    ['standard_proposals', 'standardKind'],
    ['exchange_events', 'location'],
    ['work_updates', 'recipient'],
  ] as const)('refuses a %s without %s (400 naming it, nothing stored)', async (kind, field) => {
    await refused(w.userGd1, activityPayload(kind, { [field]: undefined }), 400, field, 'required');
  });

  it('refuses fields of another kind instead of storing them', async () => {
    await refused(
      w.userGd1,
      activityPayload('exchange_events', { journal: '中国标准化' }),
      400,
      'journal',
      'notForRequirement',
    );
    await refused(
      w.userGd1,
      activityPayload('media_reports', { personKey: 'X1' }),
      400,
      'personKey',
      'notForRequirement',
    );
  });

  it('refuses values outside the fixed lists and out-of-range numbers', async () => {
    await refused(
      w.userGd1,
      activityPayload('national_papers', { journalLevel: 'core' }),
      400,
      'journalLevel',
      'isIn',
    );
    await refused(w.userGd1, activityPayload('media_reports', { outletLevel: 'county' }), 400, 'outletLevel');
    await refused(
      w.userGd1,
      activityPayload('standard_proposals', { standardKind: 'draft' }),
      400,
      'standardKind',
    );
    await refused(
      w.userGd1,
      activityPayload('exchange_events', { participants: -1 }),
      400,
      'participants',
      'min',
    );
    await refused(
      w.userGd1,
      activityPayload('exchange_events', { participants: 100001 }),
      400,
      'participants',
      'max',
    );
    await refused(
      w.userGd1,
      activityPayload('exchange_events', { participants: 2.5 }),
      400,
      'participants',
      'isInt',
    );
    await refused(
      w.userGd1,
      activityPayload('media_reports', { url: 'javascript:alert(1)' }),
      400,
      'url',
      'isUrl',
    );
    await refused(
      w.userGd1,
      activityPayload('work_updates', { requirement: 'parties' }),
      400,
      'requirement',
      'isIn',
    );
    await refused(w.userGd1, activityPayload('work_updates', { title: '   ' }), 400, 'title', 'minLength');
    await refused(
      w.userGd1,
      activityPayload('work_updates', { title: 'x'.repeat(201) }),
      400,
      'title',
      'maxLength',
    );
    await refused(
      w.userGd1,
      activityPayload('work_updates', { description: 'x'.repeat(5001) }),
      400,
      'description',
    );
  });

  it('refuses an unknown field', async () => {
    await refused(
      w.userGd1,
      activityPayload('work_updates', { points: 3 }),
      400,
      'points',
      'whitelistValidation',
    );
    await refused(w.userGd1, activityPayload('work_updates', { status: 'verified' }), 400, 'status');
  });

  it('refuses dates that are not real, in the future, or outside the cycle', async () => {
    await refused(
      w.userGd1,
      activityPayload('work_updates', { date: '2025-02-29' }),
      400,
      'date',
      'isISO8601',
    );
    await refused(w.userGd1, activityPayload('work_updates', { date: '2025-1-5' }), 400, 'date', 'isISO8601');
    await refused(
      w.userGd1,
      activityPayload('work_updates', { date: `${daysAgo(3)}T00:00:00Z` }),
      400,
      'date',
      'isISO8601',
    );
    await refused(
      w.userGd1,
      activityPayload('work_updates', { date: addDays(today(), 1) }),
      400,
      'date',
      'notFuture',
    );
    await refused(w.userGd1, activityPayload('work_updates', { date: daysAgo(401) }), 400, 'date', 'inCycle');
    // Today itself is fine.
    expect((await post(w.userGd1, activityPayload('work_updates', { date: today() }))).status).toBe(201);
  });

  it('refuses a date after the end of a cycle that has already ended', async () => {
    const ended = await makeUnit(t, { province: '44', cycleStart: daysAgo(800), cycleEnd: daysAgo(70) });
    const user = await makeUser(t, w.admin, { email: 'ended@example.cn', role: 'unit', unitId: ended.id });
    await refused(user, activityPayload('work_updates', { date: daysAgo(10) }), 400, 'date', 'inCycle');
    expect((await post(user, activityPayload('work_updates', { date: daysAgo(70) }))).status).toBe(201);
  });

  describe('reading within scope', () => {
    let gd1Id: number;
    let zjId: number;
    beforeAll(async () => {
      gd1Id = (await post(w.userGd1, activityPayload('media_reports', { title: 'Scope Probe 广东' }))).body
        .id;
      zjId = (await post(w.userZj1, activityPayload('media_reports', { title: 'Scope Probe 浙江' }))).body.id;
    });

    it('unit users see their own unit only; others get 404', async () => {
      expect((await t.http.get(`/api/v1/activities/${gd1Id}`).set(auth(w.userGd1))).status).toBe(200);
      expect((await t.http.get(`/api/v1/activities/${gd1Id}`).set(auth(w.userGd2))).status).toBe(404);
      const list = await t.http.get('/api/v1/activities?pageSize=500').set(auth(w.userGd2));
      expect(list.status).toBe(200);
      expect(list.body.items.every((a: { unitId: number }) => a.unitId === w.gd2.id)).toBe(true);
    });

    it('supervisors see their provinces; another province is 404', async () => {
      const got = await t.http.get(`/api/v1/activities/${gd1Id}`).set(auth(w.supGd));
      expect(got.status).toBe(200);
      expect(got.body.evidence).toEqual([]);
      expect((await t.http.get(`/api/v1/activities/${gd1Id}`).set(auth(w.supZj))).status).toBe(404);
      expect((await t.http.get(`/api/v1/activities/${zjId}`).set(auth(w.supGd))).status).toBe(404);
      const list = await t.http.get('/api/v1/activities?q=scope%20probe').set(auth(w.supGd));
      expect(list.body.items.map((a: { id: number }) => a.id)).toEqual([gd1Id]);
      const all = await t.http.get('/api/v1/activities?q=scope%20probe').set(auth(w.admin));
      expect(all.body.total).toBe(2);
    });

    it('filters by unit, province, requirement, status and date range, newest date first', async () => {
      const old = await post(
        w.userGd1,
        activityPayload('exchange_events', { date: daysAgo(200), title: 'old one' }),
      );
      const q = (s: string) => t.http.get(`/api/v1/activities?${s}`).set(auth(w.admin));
      const byUnit = await q(`unitId=${w.zj1.id}&pageSize=500`);
      expect(byUnit.body.items.every((a: { unitId: number }) => a.unitId === w.zj1.id)).toBe(true);
      const byProvince = await q('province=33&pageSize=500');
      expect(byProvince.body.items.every((a: { province: string }) => a.province === '33')).toBe(true);
      const range = await q(`from=${daysAgo(201)}&to=${daysAgo(199)}`);
      expect(range.body.items.map((a: { id: number }) => a.id)).toEqual([old.body.id]);
      const events = await q('requirement=exchange_events&status=draft&pageSize=500');
      const dates = events.body.items.map((a: { date: string }) => a.date);
      expect(dates).toEqual([...dates].sort().reverse());
      expect(
        events.body.items.every((a: { requirement: string }) => a.requirement === 'exchange_events'),
      ).toBe(true);
      const page = await q('pageSize=2&page=2');
      expect(page.body).toMatchObject({ page: 2, pageSize: 2 });
      expect(page.body.items).toHaveLength(2);
    });

    it('refuses bad filters and ids with 400 naming them', async () => {
      const bad = await t.http
        .get('/api/v1/activities?status=done&from=2025-13-01&province=99')
        .set(auth(w.admin));
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'from',
        'province',
        'status',
      ]);
      for (const id of ['abc', '0', '-1', '1.5', '99999999999']) {
        const r = await t.http.get(`/api/v1/activities/${id}`).set(auth(w.admin));
        expect(r.status).toBe(400);
        expect(r.body.errors[0].field).toBe('id');
      }
    });
  });

  describe('editing and deleting', () => {
    it('the unit edits its draft; the diff is audited and updatedBy set', async () => {
      const a = (await post(w.userGd1, activityPayload('exchange_events'))).body;
      const res = await t.http
        .patch(`/api/v1/activities/${a.id}`)
        .set(auth(w.userGd1))
        .send({ title: '修改后的标题', participants: 120, description: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ title: '修改后的标题', participants: 120, location: '广州市' });
      const audit = await t.orm.em
        .fork()
        .find(AuditLog, { entity: 'activity', entityId: String(a.id), action: 'update' });
      expect(audit).toHaveLength(1);
      expect(audit[0].changes).toEqual({ title: [a.title, '修改后的标题'], participants: [80, 120] });
      const stored = await t.orm.em.fork().findOneOrFail(Activity, a.id, { populate: ['updatedBy'] });
      expect(stored.updatedBy?.email).toMatch(/^gd1-/);
    });

    it('changing the requirement drops the old kind fields and needs the new ones', async () => {
      const a = (await post(w.userGd1, activityPayload('exchange_events'))).body;
      const before = await dbState(t);
      const missing = await t.http
        .patch(`/api/v1/activities/${a.id}`)
        .set(auth(w.userGd1))
        .send({ requirement: 'media_reports', outlet: '南方日报' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0]).toMatchObject({ field: 'outletLevel', rule: 'required' });
      expect(await dbState(t)).toBe(before);
      const ok = await t.http
        .patch(`/api/v1/activities/${a.id}`)
        .set(auth(w.userGd1))
        .send({ requirement: 'media_reports', outlet: '南方日报', outletLevel: 'national' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        requirement: 'media_reports',
        location: null,
        participants: null,
        outlet: '南方日报',
      });
    });

    it('refuses clearing a required field, bad dates and unknown fields in an edit', async () => {
      const a = (await post(w.userGd1, activityPayload('national_papers'))).body;
      const before = await dbState(t);
      const patch = (body: object) =>
        t.http.patch(`/api/v1/activities/${a.id}`).set(auth(w.userGd1)).send(body);
      const cases: [object, string][] = [
        [{ journal: null }, 'journal'],
        [{ title: null }, 'title'],
        [{ date: addDays(today(), 2) }, 'date'],
        [{ unitId: w.gd2.id }, 'unitId'],
        [{ location: '北京' }, 'location'],
      ];
      for (const [body, field] of cases) {
        const r = await patch(body);
        expect(r.status).toBe(400);
        expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await dbState(t)).toBe(before);
    });

    it('a supervisor cannot edit or delete a unit draft; another unit gets 404', async () => {
      const a = (await post(w.userGd1, activityPayload('work_updates'))).body;
      const before = await dbState(t);
      expect(
        (await t.http.patch(`/api/v1/activities/${a.id}`).set(auth(w.supGd)).send({ title: 'x' })).status,
      ).toBe(403);
      expect((await t.http.delete(`/api/v1/activities/${a.id}`).set(auth(w.supGd))).status).toBe(403);
      expect(
        (await t.http.patch(`/api/v1/activities/${a.id}`).set(auth(w.userGd2)).send({ title: 'x' })).status,
      ).toBe(404);
      expect((await t.http.delete(`/api/v1/activities/${a.id}`).set(auth(w.userZj1))).status).toBe(404);
      expect(await dbState(t)).toBe(before);
    });

    it('a submitted activity cannot be edited or deleted by the unit (409); an admin may delete it', async () => {
      const a = (await post(w.userGd1, activityPayload('work_updates'))).body;
      expect((await submitWithEvidence(t.http, a.id, auth(w.userGd1))).status).toBe(200);
      const before = await dbState(t);
      const edit = await t.http.patch(`/api/v1/activities/${a.id}`).set(auth(w.userGd1)).send({ title: 'x' });
      expect(edit.status).toBe(409);
      expect(edit.body.messageZh).toContain('草稿');
      expect(edit.body.message).toMatch(/draft or rejected/);
      expect((await t.http.delete(`/api/v1/activities/${a.id}`).set(auth(w.userGd1))).status).toBe(409);
      expect(await dbState(t)).toBe(before);
      expect((await t.http.delete(`/api/v1/activities/${a.id}`).set(auth(w.admin))).status).toBe(204);
      expect((await t.http.get(`/api/v1/activities/${a.id}`).set(auth(w.admin))).status).toBe(404);
    });

    it('deleting is soft and audited', async () => {
      const a = (await post(w.userGd1, activityPayload('work_updates'))).body;
      expect((await t.http.delete(`/api/v1/activities/${a.id}`).set(auth(w.userGd1))).status).toBe(204);
      expect((await t.http.get(`/api/v1/activities/${a.id}`).set(auth(w.userGd1))).status).toBe(404);
      const em = t.orm.em.fork();
      const row = await em.findOneOrFail(Activity, a.id);
      expect(row.deletedAt).toBeInstanceOf(Date);
      const audit = await em.findOneOrFail(AuditLog, {
        entity: 'activity',
        entityId: String(a.id),
        action: 'delete',
      });
      expect(audit.changes).toMatchObject({ title: a.title, status: 'draft' });
      const list = await t.http.get(`/api/v1/activities?pageSize=500`).set(auth(w.userGd1));
      expect(list.body.items.some((x: { id: number }) => x.id === a.id)).toBe(false);
    });
  });
});
