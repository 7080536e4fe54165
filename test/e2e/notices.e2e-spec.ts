import { todayIn } from '@app/compliance';
import { Activity, OutboxMessage } from '@app/db';
import { OutboxWorker } from '@app/mail';
import {
  hourSlot,
  NoticesService,
  NOTICE_REJECTED,
  NOTICE_SUBMISSIONS,
  NOTICE_VERIFIED,
} from '../../apps/tracker/src/notices/notices.service';
import { submitWithEvidence } from '../support/evidence';
import { startSmtp, type TestSmtpServer } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';
import { activityPayload, auth, makeUnit, makeUser } from '../fixtures/evidence/world';

const PUBLIC_URL = 'https://tracker.example.gov.cn';
const HOUR = 3_600_000;
/** A reason with markup and quotes: escaped in the HTML part, as written in the text part. */
const REASON = '缺少<b>盖章</b>的"证明" & 照片';

/** The instant of hh:mm on an Asia/Shanghai calendar date. */
const shanghai = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);
const dayBefore = (day: string) =>
  new Date(Date.parse(`${day}T12:00:00Z`) - 24 * HOUR).toISOString().slice(0, 10);

describe('event notices: rejections, hourly verification batches, submission digests, choices', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let worker: OutboxWorker;
  let notices: NoticesService;
  let admin: string;
  /** Tokens by name. */
  const tok: Record<string, string> = {};
  let units: Record<'a' | 'b' | 'zj', number>;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL });
    worker = t.app.get(OutboxWorker);
    notices = t.app.get(NoticesService);
    admin = await t.login('admin@test.gov.cn', 'admin-password-1');
    const a = await makeUnit(t, {
      name: '示范单位<甲>',
      province: '44',
      contacts: [
        { name: '联系人', email: 'contact-a@example.cn' },
        // The unit user is also listed as a contact: one mail, following the user's choices.
        { name: 'Dup', email: 'USER-A@example.cn' },
        // An account that turned everything off, also listed as a contact: still nothing.
        { name: 'Off', email: 'off-a@example.cn' },
      ],
    });
    const b = await makeUnit(t, { name: '示范单位乙', province: '44' });
    const zj = await makeUnit(t, { name: '浙江示范单位丙', province: '33' });
    units = { a: a.id, b: b.id, zj: zj.id };
    tok.userA = await makeUser(t, admin, { email: 'user-a@example.cn', role: 'unit', unitId: a.id });
    tok.offA = await makeUser(t, admin, { email: 'off-a@example.cn', role: 'unit', unitId: a.id });
    tok.dailyA = await makeUser(t, admin, { email: 'daily-a@example.cn', role: 'unit', unitId: a.id });
    tok.userB = await makeUser(t, admin, { email: 'user-b@example.cn', role: 'unit', unitId: b.id });
    tok.userZj = await makeUser(t, admin, { email: 'user-zj@example.cn', role: 'unit', unitId: zj.id });
    tok.supGd = await makeUser(t, admin, {
      email: 'sup-gd@example.cn',
      role: 'supervisor',
      provinces: ['44'],
    });
    tok.supZj = await makeUser(t, admin, {
      email: 'sup-zj@example.cn',
      role: 'supervisor',
      provinces: ['33'],
    });
    tok.supOff = await makeUser(t, admin, {
      email: 'sup-off@example.cn',
      role: 'supervisor',
      provinces: ['44', '33'],
    });
    const put = (token: string, body: object) =>
      t.http.put('/api/v1/me/notices').set(auth(token)).send(body).expect(200);
    await put(tok.offA, { rejected: 'off', verified: 'off' });
    await put(tok.dailyA, { rejected: 'daily', verified: 'daily' });
    await put(tok.supOff, { submissions: 'off' });
    await t.http.patch('/api/v1/auth/me').set(auth(tok.userB)).send({ locale: 'en' }).expect(200);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const create = async (token: string, title: string) => {
    const res = await t.http
      .post('/api/v1/activities')
      .set(auth(token))
      .send(activityPayload('exchange_events', { title }));
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as number;
  };
  const submitted = async (token: string, title: string) => {
    const id = await create(token, title);
    expect((await submitWithEvidence(t.http, id, auth(token))).status).toBe(200);
    return id;
  };
  const rowsOf = (where: object) => t.orm.em.fork().find(OutboxMessage, where, { orderBy: { id: 'asc' } });
  const mailsTo = (email: string, subject?: RegExp) =>
    smtp.received.filter((m) => m.to.includes(email) && (!subject || subject.test(m.parsed.subject ?? '')));

  it('a rejection queues one notice per recipient with the change, sent once with the quoted reason and a link', async () => {
    const id = await submitted(tok.userA, '交流会<一>');
    const res = await t.http
      .post(`/api/v1/activities/${id}/reject`)
      .set(auth(tok.supGd))
      .send({ reason: REASON })
      .expect(200);
    expect(res.body.status).toBe('rejected');

    // Queued in the review's transaction: the rows exist before any worker ran.
    const rows = await rowsOf({ kind: NOTICE_REJECTED, unitId: units.a });
    expect(rows.map((r) => r.recipient).sort()).toEqual(['contact-a@example.cn', 'user-a@example.cn']);
    const reviewedAt = (await t.orm.em.fork().findOneOrFail(Activity, id)).reviewedAt!;
    expect(rows[0].idempotencyKey).toBe(
      `${NOTICE_REJECTED}:${id}:${reviewedAt.getTime()}:${rows[0].recipient}`,
    );
    expect(rows.every((r) => r.status === 'queued' && r.subject?.includes('交流会<一>'))).toBe(true);

    expect(await worker.processDue()).toMatchObject({ sent: 2, failed: 0 });
    // A second pass (a retry of the worker) sends nothing more.
    expect(await worker.processDue()).toMatchObject({ claimed: 0 });

    expect(mailsTo('user-a@example.cn')).toHaveLength(1);
    expect(mailsTo('contact-a@example.cn')).toHaveLength(1);
    expect(mailsTo('off-a@example.cn')).toHaveLength(0);
    expect(mailsTo('daily-a@example.cn')).toHaveLength(0);
    const mail = mailsTo('user-a@example.cn')[0].parsed;
    expect(mail.subject).toBe('【活动被退回】交流会<一>');
    const html = String(mail.html);
    expect(html).toContain(`href="${PUBLIC_URL}/activities/${id}"`);
    expect(html).toContain('缺少&lt;b&gt;盖章&lt;/b&gt;的&quot;证明&quot; &amp; 照片');
    expect(html).not.toContain('<b>盖章</b>');
    expect(html).toContain('交流会&lt;一&gt;');
    expect(html).toContain('示范单位&lt;甲&gt;');
    expect(mail.text).toContain(`退回原因: "${REASON}"`);
    expect(mail.text).toContain(`${PUBLIC_URL}/activities/${id}`);
    expect(mail.text).toContain('交流会<一>');
    // The contact, who has no account, gets the same notice, greeted by name.
    expect(mailsTo('contact-a@example.cn')[0].parsed.text).toContain('联系人，您好');
  });

  it('a second rejection of the same activity later is a new notice; bulk rejections notify too', async () => {
    const id = (
      await rowsOf({ kind: NOTICE_REJECTED, recipient: 'user-a@example.cn' })
    )[0].idempotencyKey.split(':')[1];
    expect((await submitWithEvidence(t.http, Number(id), auth(tok.userA))).status).toBe(200);
    await t.http
      .post('/api/v1/reviews/bulk')
      .set(auth(tok.supGd))
      .send({ ids: [Number(id)], action: 'reject', reason: '仍缺少照片' })
      .expect(200);
    const rows = await rowsOf({ kind: NOTICE_REJECTED, recipient: 'user-a@example.cn' });
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.idempotencyKey)).size).toBe(2);
    await worker.processDue();
    const got = mailsTo('user-a@example.cn', /活动被退回/);
    expect(got).toHaveLength(2);
    expect(got[1].parsed.text).toContain('"仍缺少照片"');
  });

  it('verifications within one hour give one mail per recipient; the next hour is another; ticks repeat nothing', async () => {
    const ids: number[] = [];
    for (const title of ['核实一', '核实二', '核实三', '核实四']) {
      const id = await submitted(tok.userB, title);
      await t.http.post(`/api/v1/activities/${id}/verify`).set(auth(tok.supGd)).expect(200);
      ids.push(id);
    }
    // Pin the review times: three in one hour slot three hours ago, one in the slot after it.
    const slot = hourSlot(new Date(Date.now() - 3 * HOUR));
    const start = new Date(`${slot}:00:00+08:00`).getTime();
    const em = t.orm.em.fork();
    for (const [i, minutes] of [5, 20, 50, 70].entries()) {
      await em.nativeUpdate(Activity, { id: ids[i] }, { reviewedAt: new Date(start + minutes * 60_000) });
    }
    const now = new Date();
    // Two instances ticking at once: the unique key lets one row per mail exist.
    const both = await Promise.all([notices.tick(now), notices.tick(now)]);
    expect(both[0].created + both[1].created).toBe(2); // user-b: one per slot (unit b has no contacts)
    expect((await notices.tick(now)).created).toBe(0);
    const rows = await rowsOf({ kind: NOTICE_VERIFIED, unitId: units.b });
    expect(rows.map((r) => r.idempotencyKey)).toEqual([
      `${NOTICE_VERIFIED}:${units.b}:${slot}:user-b@example.cn`,
      `${NOTICE_VERIFIED}:${units.b}:${hourSlot(new Date(start + 70 * 60_000))}:user-b@example.cn`,
    ]);
    await worker.processDue();
    expect(await worker.processDue()).toMatchObject({ claimed: 0 });
    const got = mailsTo('user-b@example.cn');
    expect(got).toHaveLength(2);
    // In the recipient's language (English), listing the hour's three activities.
    const firstMail = got.find((m) => String(m.parsed.text).includes('核实一'))!.parsed;
    expect(firstMail.subject).toBe('Activities verified: 示范单位乙 (3)');
    for (const title of ['核实一', '核实二', '核实三']) expect(firstMail.text).toContain(title);
    expect(firstMail.text).not.toContain('核实四');
    expect(String(firstMail.html)).toContain(`${PUBLIC_URL}/activities/${ids[0]}`);
    // Nobody of another unit hears of it.
    expect(mailsTo('user-a@example.cn', /verified|核实/)).toHaveLength(0);
  });

  it('a rejection on the review page notifies too; a refused rejection queues nothing', async () => {
    const id = await submitted(tok.userA, '页面退回');
    const page = await t.http
      .post(`/review/${id}/reject`)
      .set(auth(tok.supGd))
      .type('form')
      .send({ reason: '页面填写的原因' });
    expect(page.status).toBe(303);
    const rows = await rowsOf({
      kind: NOTICE_REJECTED,
      idempotencyKey: { $like: `${NOTICE_REJECTED}:${id}:%` },
    });
    expect(rows.map((r) => r.recipient).sort()).toEqual(['contact-a@example.cn', 'user-a@example.cn']);
    // Rejecting it again is refused (409) and queues no second notice.
    await t.http
      .post(`/api/v1/activities/${id}/reject`)
      .set(auth(tok.supGd))
      .send({ reason: 'x' })
      .expect(409);
    expect(await rowsOf({ idempotencyKey: { $like: `${NOTICE_REJECTED}:${id}:%` } })).toHaveLength(2);
    await worker.processDue();
    expect(mailsTo('user-a@example.cn', /页面退回/)).toHaveLength(1);
  });

  it('the daily choice gets one mail the next morning listing the day’s events; off gets none', async () => {
    const today = todayIn();
    const yesterday = dayBefore(today);
    const rejected = await submitted(tok.userA, '昨日退回');
    await t.http
      .post(`/api/v1/activities/${rejected}/reject`)
      .set(auth(tok.supGd))
      .send({ reason: '请补充' })
      .expect(200);
    const verified = await submitted(tok.userA, '昨日核实');
    await t.http.post(`/api/v1/activities/${verified}/verify`).set(auth(tok.supGd)).expect(200);
    const em = t.orm.em.fork();
    for (const id of [rejected, verified]) {
      await em.nativeUpdate(Activity, { id }, { reviewedAt: shanghai(yesterday, '15:30') });
    }
    // Before 08:00 nothing of yesterday goes out; from 08:00 on, once.
    await notices.tick(shanghai(today, '07:55'));
    expect(await rowsOf({ recipient: 'daily-a@example.cn' })).toHaveLength(0);
    await notices.tick(shanghai(today, '08:05'));
    await notices.tick(shanghai(today, '08:10'));
    const rows = await rowsOf({ recipient: 'daily-a@example.cn' });
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([
      `${NOTICE_REJECTED}:daily:${yesterday}:daily-a@example.cn`,
      `${NOTICE_VERIFIED}:daily:${yesterday}:daily-a@example.cn`,
    ]);
    await worker.processDue();
    const daily = mailsTo('daily-a@example.cn');
    expect(daily).toHaveLength(2);
    const rejMail = daily.find((m) => /退回/.test(m.parsed.subject ?? ''))!.parsed;
    expect(rejMail.text).toContain('昨日退回');
    expect(rejMail.text).toContain('"请补充"');
    // Who turned both kinds off got nothing at all, immediately or batched.
    expect(mailsTo('off-a@example.cn')).toHaveLength(0);
    expect(await rowsOf({ recipient: 'off-a@example.cn' })).toHaveLength(0);
  });

  it('supervisors get a daily digest of the submissions in their provinces only; none without submissions', async () => {
    const today = todayIn();
    const yesterday = dayBefore(today);
    const gd = await submitted(tok.userB, '广东昨日提交');
    const zj = await submitted(tok.userZj, '浙江昨日提交');
    const em = t.orm.em.fork();
    for (const id of [gd, zj])
      await em.nativeUpdate(Activity, { id }, { submittedAt: shanghai(yesterday, '10:00') });

    await notices.tick(shanghai(today, '08:01'));
    await notices.tick(shanghai(today, '09:00'));
    const rows = await rowsOf({ kind: NOTICE_SUBMISSIONS });
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([
      `${NOTICE_SUBMISSIONS}:${yesterday}:sup-gd@example.cn`,
      `${NOTICE_SUBMISSIONS}:${yesterday}:sup-zj@example.cn`,
    ]);
    await worker.processDue();
    const gdMail = mailsTo('sup-gd@example.cn', /待审核/)[0].parsed;
    expect(gdMail.text).toContain('广东昨日提交');
    expect(gdMail.text).not.toContain('浙江昨日提交');
    expect(gdMail.text).toContain(`${PUBLIC_URL}/review`);
    expect(String(gdMail.html)).toContain(`${PUBLIC_URL}/activities/${gd}`);
    const zjMail = mailsTo('sup-zj@example.cn', /待审核/)[0].parsed;
    expect(zjMail.text).toContain('浙江昨日提交');
    expect(zjMail.text).not.toContain('广东昨日提交');
    expect(mailsTo('sup-off@example.cn')).toHaveLength(0);
    expect(mailsTo('admin@test.gov.cn')).toHaveLength(0);

    // A day without submissions: no digest at all.
    const quiet = dayBefore(dayBefore(yesterday));
    await notices.tick(shanghai(dayBefore(yesterday), '09:00'));
    expect(await rowsOf({ kind: NOTICE_SUBMISSIONS, asOf: quiet })).toHaveLength(0);
    expect(await rowsOf({ kind: NOTICE_SUBMISSIONS })).toHaveLength(2);
  });

  it('GET/PUT /api/v1/me/notices: defaults per role, partial changes, 400 naming the field and rule', async () => {
    const get = (token: string) => t.http.get('/api/v1/me/notices').set(auth(token));
    expect((await get(tok.userZj)).body).toEqual({
      rejected: 'immediately',
      verified: 'hourly',
      submissions: 'off',
      comments: 'immediately',
    });
    expect((await get(tok.supZj)).body).toEqual({
      rejected: 'immediately',
      verified: 'hourly',
      submissions: 'daily',
      comments: 'immediately',
    });
    expect((await get(admin)).body.submissions).toBe('off');

    const bad = async (body: object, field: string, rule: string) => {
      const res = await t.http.put('/api/v1/me/notices').set(auth(tok.userZj)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    };
    await bad({ rejected: 'hourly' }, 'rejected', 'isIn');
    await bad({ verified: 'immediately' }, 'verified', 'isIn');
    await bad({ submissions: 'hourly' }, 'submissions', 'isIn');
    await bad({ comments: 'daily' }, 'comments', 'isIn');
    await bad({ verified: null }, 'verified', 'isIn');
    await bad({ monthly: 'off' }, 'monthly', 'whitelistValidation');
    expect((await get(tok.userZj)).body.verified).toBe('hourly');

    const put = await t.http.put('/api/v1/me/notices').set(auth(tok.userZj)).send({ verified: 'daily' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      rejected: 'immediately',
      verified: 'daily',
      submissions: 'off',
      comments: 'immediately',
    });
    expect((await get(tok.userZj)).body).toEqual(put.body);
    expect((await t.http.get('/api/v1/me/notices')).status).toBe(401);
  });

  it('the Notifications page shows and saves the choices; the admin outbox names the notice kinds', async () => {
    // Pages take the bearer token too (the session cookie is Secure on this https PUBLIC_URL).
    const page = (path: string, token: string) => t.http.get(path).set(auth(token)).accept('html');
    const form = (token: string, body: object) =>
      t.http.post('/settings/notices').set(auth(token)).type('form').send(body);
    expect((await page(`/units/${units.zj}`, tok.userZj)).text).toContain('href="/settings/notices"');
    const shown = await page('/settings/notices', tok.userZj);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('<option value="daily" selected>');
    expect(shown.text).toContain('id="notice-comments"');
    const saved = await form(tok.userZj, {
      rejected: 'off',
      verified: 'off',
      submissions: 'off',
      comments: 'off',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/settings/notices?done=saved');
    expect((await t.http.get('/api/v1/me/notices').set(auth(tok.userZj))).body).toEqual({
      rejected: 'off',
      verified: 'off',
      submissions: 'off',
      comments: 'off',
    });
    const refused = await form(tok.userZj, {
      rejected: 'sometimes',
      verified: 'off',
      submissions: 'off',
      comments: 'off',
    });
    expect(refused.status).toBe(400);

    const list = await page('/admin/outbox', admin);
    for (const label of ['退回通知', '核实通知', '新提交活动汇总', '留言通知'])
      expect(list.text).toContain(label);
    const filtered = await page(`/admin/outbox?kind=${NOTICE_REJECTED}`, admin);
    expect(filtered.status).toBe(200);
    expect(filtered.text).toContain('user-a@example.cn');
    const one = (await rowsOf({ kind: NOTICE_SUBMISSIONS }))[0];
    const detail = await page(`/admin/outbox/${one.id}`, admin);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('新提交活动汇总');
    const html = await page(`/admin/outbox/${one.id}/html`, admin);
    expect(html.status).toBe(200);
    expect(html.text).toContain(`${PUBLIC_URL}/review`);
    const api = await t.http.get(`/api/v1/outbox?kind=${NOTICE_VERIFIED}`).set(auth(admin));
    expect(api.status).toBe(200);
    expect(api.body.items.map((m: { recipient: string }) => m.recipient)).toContain('user-b@example.cn');
  });
});
