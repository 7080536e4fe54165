import { RequestContext } from '@mikro-orm/core';
import { Activity, AuditLog } from '@app/db';
import { LABELS } from '@app/compliance';
import { ActivitiesService } from '../../apps/tracker/src/activities/activities.service';
import { submitWithEvidence } from '../support/evidence';
import { createTestApp, type TestApp } from '../support/test-app';
import { activityPayload, auth, daysAgo, dbState, world } from '../fixtures/evidence/world';

describe('reviews: status flow, reviewer rights, queue, bulk review, audit', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof world>>;

  beforeAll(async () => {
    t = await createTestApp();
    w = await world(t);
  });
  afterAll(() => t.close());

  const create = async (token: string, body: object) => {
    const res = await t.http.post('/api/v1/activities').set(auth(token)).send(body);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; title: string };
  };
  const act = (token: string, id: number, verb: 'submit' | 'verify' | 'reject', body?: object) =>
    t.http.post(`/api/v1/activities/${id}/${verb}`).set(auth(token)).send(body);
  const submit = (token: string, id: number) => submitWithEvidence(t.http, id, auth(token));
  const auditOf = (id: number) =>
    t.orm.em.fork().find(AuditLog, { entity: 'activity', entityId: String(id) }, { orderBy: { id: 'asc' } });

  it('draft → submitted → verified, each step audited with its diff and actor', async () => {
    const a = await create(w.userGd1, activityPayload('media_reports'));
    const sub = await submit(w.userGd1, a.id);
    expect(sub.status).toBe(200);
    expect(sub.body.status).toBe('submitted');
    expect(sub.body.submittedAt).toBeTruthy();
    const ver = await act(w.supGd, a.id, 'verify');
    expect(ver.status).toBe(200);
    expect(ver.body).toMatchObject({ status: 'verified', rejectReason: null });
    expect(ver.body.reviewedAt).toBeTruthy();

    const stored = await t.orm.em.fork().findOneOrFail(Activity, a.id, { populate: ['reviewedBy'] });
    expect(stored.reviewedBy?.email).toMatch(/^sup-gd-/);
    const audit = await auditOf(a.id);
    expect(audit.map((x) => x.action)).toEqual(['create', 'submit', 'verify']);
    expect(audit[1].changes).toMatchObject({ status: ['draft', 'submitted'] });
    expect(audit[1].actorEmail).toMatch(/^gd1-/);
    expect(audit[2].changes).toMatchObject({ status: ['submitted', 'verified'] });
    expect(audit[2].actorEmail).toMatch(/^sup-gd-/);

    // Verified is final: no edit, no second review, no resubmission.
    const before = await dbState(t);
    expect((await act(w.supGd, a.id, 'verify')).status).toBe(409);
    expect((await act(w.supGd, a.id, 'reject', { reason: 'x' })).status).toBe(409);
    expect((await act(w.userGd1, a.id, 'submit')).status).toBe(409);
    expect(
      (await t.http.patch(`/api/v1/activities/${a.id}`).set(auth(w.userGd1)).send({ title: 'y' })).status,
    ).toBe(409);
    expect(await dbState(t)).toBe(before);
  });

  it('submitted → rejected with a reason → corrected → resubmitted (reason cleared) → verified', async () => {
    const a = await create(w.userGd1, activityPayload('national_papers', { journalLevel: 'provincial' }));
    await submit(w.userGd1, a.id);
    const before = await dbState(t);
    const noReason = await act(w.supGd, a.id, 'reject', {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');
    const blank = await act(w.supGd, a.id, 'reject', { reason: '   ' });
    expect(blank.status).toBe(400);
    const long = await act(w.supGd, a.id, 'reject', { reason: 'x'.repeat(1001) });
    expect(long.status).toBe(400);
    expect(await dbState(t)).toBe(before);

    const rej = await act(w.supGd, a.id, 'reject', { reason: '刊物为省级，请核实刊物级别' });
    expect(rej.status).toBe(200);
    expect(rej.body).toMatchObject({ status: 'rejected', rejectReason: '刊物为省级，请核实刊物级别' });

    // The unit sees the reason, corrects the record and resubmits.
    const seen = await t.http.get(`/api/v1/activities/${a.id}`).set(auth(w.userGd1));
    expect(seen.body.rejectReason).toBe('刊物为省级，请核实刊物级别');
    const fix = await t.http
      .patch(`/api/v1/activities/${a.id}`)
      .set(auth(w.userGd1))
      .send({ journal: '中国标准化', journalLevel: 'national' });
    expect(fix.status).toBe(200);
    const resub = await submit(w.userGd1, a.id);
    expect(resub.status).toBe(200);
    expect(resub.body).toMatchObject({ status: 'submitted', rejectReason: null, reviewedAt: null });
    expect((await act(w.admin, a.id, 'verify')).body.status).toBe('verified');

    const audit = await auditOf(a.id);
    expect(audit.map((x) => x.action)).toEqual(['create', 'submit', 'reject', 'update', 'submit', 'verify']);
    expect(audit[2].changes).toMatchObject({
      status: ['submitted', 'rejected'],
      rejectReason: [null, '刊物为省级，请核实刊物级别'],
    });
    expect(audit[3].changes).toMatchObject({ journalLevel: ['provincial', 'national'] });
    expect(audit[4].changes).toMatchObject({ rejectReason: ['刊物为省级，请核实刊物级别', null] });
  });

  it('two reviewers acting at once: exactly one wins, the other gets 409, one audit row', async () => {
    const a = await create(w.userGd1, activityPayload('work_updates'));
    await submit(w.userGd1, a.id);
    const [one, two] = await Promise.all([
      act(w.supGd, a.id, 'verify'),
      act(w.admin, a.id, 'reject', { reason: '重复' }),
    ]);
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    const reviews = (await auditOf(a.id)).filter((x) => x.action === 'verify' || x.action === 'reject');
    expect(reviews).toHaveLength(1);
    const final = await t.orm.em.fork().findOneOrFail(Activity, a.id);
    expect(final.status).toBe(one.status === 200 ? 'verified' : 'rejected');
  });

  it('a unit user cannot verify or reject (403), not even their own', async () => {
    const a = await create(w.userGd1, activityPayload('work_updates'));
    await submit(w.userGd1, a.id);
    const before = await dbState(t);
    const v = await act(w.userGd1, a.id, 'verify');
    expect(v.status).toBe(403);
    expect(v.body.messageZh).toBeTruthy();
    expect((await act(w.userGd1, a.id, 'reject', { reason: 'x' })).status).toBe(403);
    const bulk = await t.http
      .post('/api/v1/reviews/bulk')
      .set(auth(w.userGd1))
      .send({ ids: [a.id], action: 'verify' });
    expect(bulk.status).toBe(403);
    expect((await t.http.get('/api/v1/reviews/queue').set(auth(w.userGd1))).status).toBe(403);
    expect(await dbState(t)).toBe(before);
  });

  it('a supervisor of another province gets 404 and changes nothing', async () => {
    const a = await create(w.userGd1, activityPayload('work_updates'));
    await submit(w.userGd1, a.id);
    const before = await dbState(t);
    expect((await act(w.supZj, a.id, 'verify')).status).toBe(404);
    expect((await act(w.supZj, a.id, 'reject', { reason: 'x' })).status).toBe(404);
    expect((await t.http.get(`/api/v1/activities/${a.id}`).set(auth(w.supZj))).status).toBe(404);
    expect(await dbState(t)).toBe(before);
  });

  it('drafts cannot be reviewed (409) and supervisors cannot submit for the unit (403)', async () => {
    const a = await create(w.userGd1, activityPayload('work_updates'));
    const before = await dbState(t);
    const v = await act(w.supGd, a.id, 'verify');
    expect(v.status).toBe(409);
    expect(v.body.messageZh).toContain(LABELS.activityStatus.draft.zh);
    expect((await act(w.supGd, a.id, 'submit')).status).toBe(403);
    expect(await dbState(t)).toBe(before);
  });

  describe('queue and bulk review', () => {
    let fresh: TestApp;
    let x: Awaited<ReturnType<typeof world>>;
    const ids: number[] = [];

    beforeAll(async () => {
      fresh = await createTestApp();
      x = await world(fresh);
      // Submitted in this order: zj, gd2, gd1 (x3); then one gd1 draft that must not be queued.
      const order: [string, number][] = [
        [x.userZj1, 30],
        [x.userGd2, 20],
        [x.userGd1, 10],
        [x.userGd1, 11],
        [x.userGd1, 12],
      ];
      for (const [token, ago] of order) {
        const res = await fresh.http
          .post('/api/v1/activities')
          .set(auth(token))
          .send(activityPayload('exchange_events', { date: daysAgo(ago), title: `queued ${ago}` }));
        ids.push(res.body.id);
        expect((await submitWithEvidence(fresh.http, res.body.id, auth(token))).status).toBe(200);
        await new Promise((r) => setTimeout(r, 15));
      }
      await fresh.http.post('/api/v1/activities').set(auth(x.userGd1)).send(activityPayload('work_updates'));
    });
    afterAll(() => fresh.close());

    it('lists submitted activities in scope, oldest submission first, with the unit name', async () => {
      const gd = await fresh.http.get('/api/v1/reviews/queue').set(auth(x.supGd));
      expect(gd.status).toBe(200);
      expect(gd.body.total).toBe(4);
      expect(gd.body.items.map((a: { id: number }) => a.id)).toEqual(ids.slice(1));
      expect(gd.body.items[0]).toMatchObject({ unitName: x.gd2.name, status: 'submitted', province: '44' });
      const all = await fresh.http.get('/api/v1/reviews/queue').set(auth(x.admin));
      expect(all.body.items.map((a: { id: number }) => a.id)).toEqual(ids);
      const one = await fresh.http
        .get(`/api/v1/reviews/queue?unitId=${x.gd1.id}&pageSize=1`)
        .set(auth(x.admin));
      expect(one.body).toMatchObject({ total: 3, pageSize: 1 });
      expect(one.body.items.map((a: { id: number }) => a.id)).toEqual([ids[2]]);
    });

    it('bulk-verifies, reporting each id on its own (out of scope and unknown ids fail alone)', async () => {
      const before = await dbState(fresh);
      const noReason = await fresh.http
        .post('/api/v1/reviews/bulk')
        .set(auth(x.supGd))
        .send({ ids: [ids[2]], action: 'reject' });
      expect(noReason.status).toBe(400);
      expect(noReason.body.errors[0]).toMatchObject({ field: 'reason', rule: 'required' });
      for (const body of [
        { ids: [], action: 'verify' },
        { ids: [1, 1], action: 'verify' },
        { ids: Array.from({ length: 201 }, (_, i) => i + 1), action: 'verify' },
        { ids: [1], action: 'approve' },
        { ids: ['1'], action: 'verify' },
      ]) {
        const r = await fresh.http.post('/api/v1/reviews/bulk').set(auth(x.supGd)).send(body);
        expect(r.status).toBe(400);
      }
      expect(await dbState(fresh)).toBe(before);

      const res = await fresh.http
        .post('/api/v1/reviews/bulk')
        .set(auth(x.supGd))
        .send({ ids: [ids[1], ids[2], ids[0], 999999, ids[3]], action: 'verify' });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([
        { id: ids[1], ok: true, status: 'verified' },
        { id: ids[2], ok: true, status: 'verified' },
        expect.objectContaining({ id: ids[0], ok: false, statusCode: 404 }),
        expect.objectContaining({ id: 999999, ok: false, statusCode: 404 }),
        { id: ids[3], ok: true, status: 'verified' },
      ]);
      const em = fresh.orm.em.fork();
      expect((await em.findOneOrFail(Activity, ids[0])).status).toBe('submitted');
      expect(await em.count(AuditLog, { action: 'verify', entityId: { $in: ids.map(String) } })).toBe(3);

      const again = await fresh.http
        .post('/api/v1/reviews/bulk')
        .set(auth(x.supGd))
        .send({ ids: [ids[1], ids[4]], action: 'reject', reason: '材料不全' });
      expect(again.body.results).toEqual([
        expect.objectContaining({ id: ids[1], ok: false, statusCode: 409 }),
        { id: ids[4], ok: true, status: 'rejected' },
      ]);
      const queue = await fresh.http.get('/api/v1/reviews/queue').set(auth(x.supGd));
      expect(queue.body.total).toBe(0);
    });

    it('serves the monthly report: rejected per unit, awaiting review', async () => {
      const service = fresh.app.get(ActivitiesService);
      await RequestContext.create(fresh.orm.em, async () => {
        const rejected = await service.rejectedForUnit(x.gd1.id);
        expect(rejected.map((a) => a.id)).toEqual([ids[4]]);
        expect(rejected[0].rejectReason).toBe('材料不全');
        const waiting = await service.awaitingReview([x.gd1.id, x.zj1.id]);
        expect(waiting.map((a) => a.id)).toEqual([ids[0]]);
      });
    });
  });
});
