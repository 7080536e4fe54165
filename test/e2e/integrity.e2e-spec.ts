import { AuditLog, ClaimFingerprint } from '@app/db';
import { createTestApp, type TestApp } from '../support/test-app';
import { csrfOf, pageLogin } from './web-fixtures';
import { activityPayload, auth, daysAgo, minimalPdf, world } from '../fixtures/evidence/world';

/** A valid PDF of its own: the same `tag` gives the same bytes (and SHA-256), another tag other bytes. */
const pdf = (tag: string) => Buffer.concat([minimalPdf(), Buffer.from(`% ${tag}\n`)]);

interface Dup {
  id: number;
  reason: string;
  status: string;
  activityId: number;
  matchedActivityId: number;
  matchedUnit: { name: string } | null;
  matchedProvince: string;
}

describe('duplicate claims: fingerprints on submission, who sees what, explaining', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof world>>;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp();
    w = await world(t);
  });
  afterAll(() => t.close());

  /** Creates an activity with its own (or a shared, by tag) PDF and submits it. */
  const claim = async (token: string, body: object, file = `own-${++seq}`) => {
    const res = await t.http.post('/api/v1/activities').set(auth(token)).send(body);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    const id = res.body.id as number;
    const up = await t.http
      .post(`/api/v1/activities/${id}/evidence`)
      .set(auth(token))
      .attach('files', pdf(file), '证明.pdf');
    if (up.status !== 201) throw new Error(`evidence: ${up.status} ${JSON.stringify(up.body)}`);
    const sub = await t.http.post(`/api/v1/activities/${id}/submit`).set(auth(token));
    if (sub.status !== 200) throw new Error(`submit: ${sub.status} ${JSON.stringify(sub.body)}`);
    return id;
  };
  const duplicates = async (token: string, query = '') => {
    const res = await t.http.get(`/api/v1/integrity/duplicates${query}`).set(auth(token));
    expect(res.status).toBe(200);
    return res.body.items as Dup[];
  };
  /** The matches involving both activities. */
  const between = (items: Dup[], a: number, b: number) =>
    items.filter((d) => [d.activityId, d.matchedActivityId].sort().join() === [a, b].sort().join());

  it('the same PDF from two units in two provinces: each reviewer sees the match, the other unit unnamed', async () => {
    const gd = await claim(
      w.userGd1,
      activityPayload('work_updates', { title: '季度工作动态甲' }),
      'shared-1',
    );
    const zj = await claim(
      w.userZj1,
      activityPayload('work_updates', { title: '季度工作动态乙' }),
      'shared-1',
    );

    const [forGd] = between(await duplicates(w.supGd), gd, zj);
    expect(forGd).toMatchObject({
      reason: 'evidence',
      status: 'open',
      activityId: gd,
      matchedActivityId: zj,
      matchedUnit: null,
      matchedProvince: '33',
    });
    const [forZj] = between(await duplicates(w.supZj), gd, zj);
    expect(forZj).toMatchObject({
      reason: 'evidence',
      activityId: zj,
      matchedActivityId: gd,
      matchedUnit: null,
    });
    const [forAdmin] = between(await duplicates(w.admin), gd, zj);
    expect(forAdmin).toMatchObject({ activityId: gd, matchedUnit: { name: '浙江示范单位丙' } });
    expect(forAdmin.id).toBe(forGd.id);
    // The province filter keeps the caller's side in that province.
    expect(between(await duplicates(w.admin, '?province=33'), gd, zj)[0]).toMatchObject({
      activityId: zj,
      matchedUnit: { name: '广东示范单位甲' },
    });

    // The review queue marks the row; the activity page says why, in words, without the other unit's name.
    const queue = await t.http.get('/api/v1/reviews/queue?pageSize=500').set(auth(w.supGd));
    expect(queue.body.items.find((a: { id: number }) => a.id === gd).duplicateCount).toBe(1);
    const page = await t.http.get(`/review?lang=zh`).set(auth(w.supGd));
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-testid="duplicate-count-${gd}"`);
    const shown = await t.http.get(`/activities/${gd}?lang=zh`).set(auth(w.supGd));
    expect(shown.text).toContain('同一证明材料文件');
    expect(shown.text).toContain('本辖区以外的单位');
    expect(shown.text).not.toContain('浙江示范单位丙');
    const shownEn = await t.http.get(`/activities/${gd}?lang=en`).set(auth(w.admin));
    expect(shownEn.text).toContain('Same evidence file');
    expect(shownEn.text).toContain('浙江示范单位丙');

    // Units do not see the reviewers' list.
    expect((await t.http.get('/api/v1/integrity/duplicates').set(auth(w.userGd1))).status).toBe(403);
    const unitPage = await t.http.get(`/activities/${gd}?lang=zh`).set(auth(w.userGd1));
    expect(unitPage.text).not.toContain('data-testid="duplicates"');

    // Fingerprints are keyed, not stored in clear, and looked up by (reason, key).
    const rows = await t.orm.em.fork().find(ClaimFingerprint, { activity: gd });
    expect(rows.map((r) => r.reason)).toEqual(['evidence']);
  });

  it('the same media URL with other tracking parameters matches; another page does not', async () => {
    const a = await claim(
      w.userGd1,
      activityPayload('media_reports', { url: 'https://Example.cn/news/77/?utm_source=wx&id=3&spm=a.b' }),
    );
    const b = await claim(
      w.userGd2,
      activityPayload('media_reports', {
        url: 'http://www.example.cn/news/77?id=3&from=timeline&share_token=zz#top',
      }),
    );
    const c = await claim(
      w.userGd2,
      activityPayload('media_reports', { url: 'https://example.cn/news/77?id=4' }),
    );
    const items = await duplicates(w.supGd);
    expect(between(items, a, b).map((d) => d.reason)).toEqual(['url']);
    // Both units are in the supervisor's province: the other one is named.
    expect(between(items, a, b)[0].matchedUnit).toEqual({ name: expect.stringMatching(/广东示范单位/) });
    expect(between(items, a, c)).toEqual([]);
    expect(between(items, b, c)).toEqual([]);

    // The same unit claiming the same report again a year later.
    const again = { url: 'https://example.cn/news/88', date: daysAgo(370) };
    const y1 = await claim(w.userGd1, activityPayload('media_reports', again));
    const y2 = await claim(
      w.userGd1,
      activityPayload('media_reports', { url: 'https://example.cn/news/88/' }),
    );
    expect(between(await duplicates(w.supGd), y1, y2).map((d) => d.reason)).toEqual(['url']);
  });

  it('an explained match stays explained when the activity is resubmitted; explaining is audited', async () => {
    const url = 'https://news.example.cn/a/9001';
    const a = await claim(w.userGd1, activityPayload('media_reports', { url }));
    const b = await claim(w.userGd2, activityPayload('media_reports', { url: `${url}?utm_medium=share` }));
    const [m] = between(await duplicates(w.supGd), a, b);
    const note = '两家单位联合报道，已核实';
    const res = await t.http
      .post(`/api/v1/integrity/duplicates/${m.id}/explain`)
      .set(auth(w.supGd))
      .send({ note: `  ${note}  ` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: m.id,
      status: 'explained',
      note,
      explainedByName: expect.any(String),
    });
    const audit = await t.orm.em.fork().find(AuditLog, { entity: 'claim_match', entityId: String(m.id) });
    expect(audit.map((x) => x.action)).toEqual(['duplicate.explain']);
    expect(audit[0].changes).toMatchObject({ status: ['open', 'explained'], note: [null, note] });

    // Rejected, corrected, resubmitted: the match is still the explained one.
    expect(
      (await t.http.post(`/api/v1/activities/${b}/reject`).set(auth(w.supGd)).send({ reason: '请补充' }))
        .status,
    ).toBe(200);
    expect(
      (await t.http.patch(`/api/v1/activities/${b}`).set(auth(w.userGd2)).send({ title: '联合报道（修改）' }))
        .status,
    ).toBe(200);
    expect((await t.http.post(`/api/v1/activities/${b}/submit`).set(auth(w.userGd2))).status).toBe(200);
    expect(between(await duplicates(w.supGd), a, b)).toEqual([]);
    const explained = between(await duplicates(w.supGd, '?status=explained'), a, b);
    expect(explained).toMatchObject([{ id: m.id, status: 'explained', note }]);
    const queue = await t.http.get('/api/v1/reviews/queue?pageSize=500').set(auth(w.supGd));
    expect(queue.body.items.find((x: { id: number }) => x.id === b).duplicateCount).toBe(0);
    const shown = await t.http.get(`/activities/${b}?lang=zh`).set(auth(w.supGd));
    expect(shown.text).toContain('已说明');
    expect(shown.text).toContain(note);

    // Corrected to another URL and resubmitted: an open match that no longer holds goes away.
    const c = await claim(
      w.userZj1,
      activityPayload('media_reports', { url: 'https://news.example.cn/a/9002' }),
    );
    const d = await claim(
      w.userGd1,
      activityPayload('media_reports', { url: 'https://news.example.cn/a/9002/' }),
    );
    expect(between(await duplicates(w.admin), c, d).map((x) => x.reason)).toEqual(['url']);
    await t.http.post(`/api/v1/activities/${d}/reject`).set(auth(w.supGd)).send({ reason: '网址有误' });
    await t.http
      .patch(`/api/v1/activities/${d}`)
      .set(auth(w.userGd1))
      .send({ url: 'https://news.example.cn/a/9003' });
    expect((await t.http.post(`/api/v1/activities/${d}/submit`).set(auth(w.userGd1))).status).toBe(200);
    expect(between(await duplicates(w.admin), c, d)).toEqual([]);
  });

  it('papers (ISSN/CN and title), standards (number and kind), persons (another unit, same period), events (date and title)', async () => {
    const paper = (over: object) =>
      activityPayload('national_papers', { title: '物流标准化实践研究', issn: 'ISSN 1002-5944', ...over });
    const p1 = await claim(w.userGd1, paper({}));
    const p2 = await claim(w.userZj1, paper({ title: '物流标准化 实践研究。', issn: 'issn1002-5944' }));
    const p3 = await claim(w.userZj1, paper({ title: '物流标准化理论研究' }));
    const admin = async () => duplicates(w.admin);
    let items = await admin();
    expect(between(items, p1, p2).map((d) => d.reason)).toEqual(['paper']);
    expect(between(items, p1, p3)).toEqual([]);

    const standard = (over: object) =>
      activityPayload('standard_proposals', { standardNumber: '20250001-T-469', ...over });
    const s1 = await claim(w.userGd1, standard({}));
    const s2 = await claim(w.userGd2, standard({ standardNumber: ' 20250001—t—469 ' }));
    const s3 = await claim(w.userGd2, standard({ standardKind: 'implementation_report' }));
    items = await admin();
    expect(between(items, s1, s2).map((d) => d.reason)).toEqual(['standard']);
    expect(between(items, s1, s3)).toEqual([]);

    const person = (key: string) => activityPayload('trained_personnel', { personKey: key });
    const h1 = await claim(w.userGd1, person(' 44010119900101555x '));
    const h2 = await claim(w.userZj1, person('44010119900101555X'));
    const h3 = await claim(w.userGd1, person('４４０１０１１９９００１０１５５５Ｘ'));
    items = await admin();
    expect(between(items, h1, h2).map((d) => d.reason)).toEqual(['person']);
    expect(between(items, h2, h3).map((d) => d.reason)).toEqual(['person']);
    // The same unit recording the person twice is the counting rule's business, not a duplicate claim.
    expect(between(items, h1, h3)).toEqual([]);

    const event = (title: string, date = daysAgo(9)) => activityPayload('exchange_events', { title, date });
    const e1 = await claim(w.userGd1, event('2026年服务业标准化经验交流会'));
    const e2 = await claim(w.userZj1, event('2026年 服务业标准化经验交流会！'));
    const e3 = await claim(w.userZj1, event('2026年服务业标准化经验交流会', daysAgo(10)));
    const e4 = await claim(w.userGd2, event('物流企业现场观摩'));
    items = await admin();
    expect(between(items, e1, e2).map((d) => d.reason)).toEqual(['event']);
    expect(between(items, e1, e3)).toEqual([]);
    expect(between(items, e1, e4)).toEqual([]);
  });

  it('the activity page explains a match with its form (CSRF, note required)', async () => {
    const a = await claim(w.userGd1, activityPayload('work_updates'), 'shared-page');
    const b = await claim(w.userGd2, activityPayload('work_updates'), 'shared-page');
    const [m] = between(await duplicates(w.supGd), a, b);
    const me = await t.http.get('/api/v1/auth/me').set(auth(w.supGd));
    const agent = await pageLogin(t, me.body.email, 'long-enough-password-1');
    const page = await agent.get(`/activities/${a}?lang=zh`);
    expect(page.text).toContain(`data-testid="explain-${m.id}"`);
    const csrf = csrfOf(page.text);
    const empty = await agent
      .post(`/duplicates/${m.id}/explain`)
      .type('form')
      .send({ _csrf: csrf, note: ' ' });
    expect(empty.status).toBe(400);
    const done = await agent
      .post(`/duplicates/${m.id}/explain`)
      .type('form')
      .send({ _csrf: csrf, note: '同一份会议纪要，两家单位分别报送' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/activities/${a}?done=duplicateExplained#duplicates`);
    const after = await agent.get(`/activities/${a}?done=duplicateExplained&lang=zh`);
    expect(after.text).toContain('已记录情况说明');
    expect(after.text).toContain('同一份会议纪要，两家单位分别报送');
    expect(after.text).not.toContain(`data-testid="explain-${m.id}"`);
  });

  it('a deleted activity takes its matches out of the lists', async () => {
    const a = await claim(w.userGd1, activityPayload('work_updates'), 'shared-del');
    const b = await claim(w.userGd2, activityPayload('work_updates'), 'shared-del');
    expect(between(await duplicates(w.admin), a, b)).toHaveLength(1);
    expect((await t.http.delete(`/api/v1/activities/${b}`).set(auth(w.admin))).status).toBe(204);
    expect(between(await duplicates(w.admin), a, b)).toEqual([]);
    expect(await t.orm.em.fork().count(ClaimFingerprint, { activity: b })).toBe(0);
  });

  it('refuses bad input with 400 naming the field and rule; unknown or out-of-scope matches are 404', async () => {
    const bad = await t.http.get('/api/v1/integrity/duplicates?status=closed').set(auth(w.admin));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'status', rule: 'isIn' })]);
    const province = await t.http.get('/api/v1/integrity/duplicates?province=99').set(auth(w.admin));
    expect(province.status).toBe(400);
    expect(province.body.errors[0]).toMatchObject({ field: 'province', rule: 'isIn' });

    const a = await claim(w.userGd1, activityPayload('work_updates'), 'shared-bad');
    const b = await claim(w.userGd2, activityPayload('work_updates'), 'shared-bad');
    const [m] = between(await duplicates(w.supGd), a, b);
    const explain = (token: string, id: number | string, body: object) =>
      t.http.post(`/api/v1/integrity/duplicates/${id}/explain`).set(auth(token)).send(body);
    const none = await explain(w.supGd, m.id, {});
    expect(none.status).toBe(400);
    expect(none.body.errors[0]).toMatchObject({ field: 'note' });
    const blank = await explain(w.supGd, m.id, { note: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.errors[0]).toMatchObject({ field: 'note', rule: 'minLength' });
    const long = await explain(w.supGd, m.id, { note: 'x'.repeat(1001) });
    expect(long.status).toBe(400);
    expect(long.body.errors[0]).toMatchObject({ field: 'note', rule: 'maxLength' });
    expect((await explain(w.supGd, 'abc', { note: 'x' })).status).toBe(400);
    expect((await explain(w.supGd, 987654, { note: 'x' })).status).toBe(404);
    // Both sides in Guangdong: Zhejiang's supervisor does not find it; a unit user may not explain.
    expect((await explain(w.supZj, m.id, { note: 'x' })).status).toBe(404);
    expect((await explain(w.userGd1, m.id, { note: 'x' })).status).toBe(403);
    expect(between(await duplicates(w.supZj, '?status=open'), a, b)).toEqual([]);
    expect(between(await duplicates(w.supGd), a, b)[0].status).toBe('open');
  });
});
