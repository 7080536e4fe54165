import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestContext } from '@mikro-orm/core';
import { OutboxMessage } from '@app/db';
import { OutboxWorker } from '@app/mail';
import { RobotChannel } from '../../apps/tracker/src/robots/robot-channel';
import { RemindersService } from '../../apps/tracker/src/reminders/reminders.service';
import { NoticesService } from '../../apps/tracker/src/notices/notices.service';
import { addDays, todayIn } from '@app/compliance';
import { submitWithEvidence } from '../support/evidence';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { auth, createUnit, createUser } from '../fixtures/units';
import { csrfOf, pageLogin } from './web-fixtures';

/*
 * WeCom and DingTalk group robots against a local HTTP server standing in for both platforms: it checks
 * each request's JSON and DingTalk's signature, and answers what each robot's script says (success by
 * default).
 */

interface Received {
  robot: string;
  body: Record<string, unknown> & { msgtype?: string; markdown?: Record<string, string> };
  at: number;
}

const SECRET = 'SECb1c3e8f0a2d44e7e9c1f5b7a3d6e0f2a4c8e1b3d5f7';
// Long enough that a busy machine still sends the first 20 well inside one window.
const WINDOW = 8;

class RobotServer {
  received: Received[] = [];
  problems: string[] = [];
  /** Answers to give a robot (by key or token) before answering success. */
  script = new Map<string, object[]>();
  private server!: Server;
  host!: string;

  async start() {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const reply = (o: object) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(o));
        };
        let body: Received['body'];
        try {
          body = JSON.parse(raw);
        } catch {
          this.problems.push(`not JSON: ${raw}`);
          return reply({ errcode: 40001, errmsg: 'invalid json' });
        }
        let robot: string;
        if (url.pathname === '/cgi-bin/webhook/send') {
          robot = url.searchParams.get('key') ?? '';
          if (body.msgtype !== 'markdown' || typeof body.markdown?.content !== 'string')
            this.problems.push(`bad WeCom body ${raw}`);
          if (Buffer.byteLength(body.markdown?.content ?? '') > 4096)
            this.problems.push('WeCom content too long');
        } else if (url.pathname === '/robot/send') {
          robot = url.searchParams.get('access_token') ?? '';
          if (
            body.msgtype !== 'markdown' ||
            typeof body.markdown?.title !== 'string' ||
            typeof body.markdown?.text !== 'string'
          )
            this.problems.push(`bad DingTalk body ${raw}`);
          if (robot.startsWith('signed')) {
            const ts = url.searchParams.get('timestamp') ?? '';
            const want = createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
            if (url.searchParams.get('sign') !== want || Math.abs(Date.now() - Number(ts)) > 3600_000) {
              this.problems.push(`bad signature ${req.url}`);
              return reply({ errcode: 310000, errmsg: 'sign not match' });
            }
          }
        } else {
          this.problems.push(`unknown path ${url.pathname}`);
          res.writeHead(404).end();
          return;
        }
        const next = this.script.get(robot)?.shift();
        if (next) return reply(next);
        this.received.push({ robot, body, at: Date.now() });
        reply({ errcode: 0, errmsg: 'ok' });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  wecom(key: string) {
    return `http://${this.host}/cgi-bin/webhook/send?key=${key}`;
  }
  dingtalk(token: string) {
    return `http://${this.host}/robot/send?access_token=${token}`;
  }
  of(robot: string) {
    return this.received.filter((r) => r.robot === robot);
  }
  close() {
    return new Promise((r) => this.server.close(r));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('group robots (WeCom, DingTalk)', () => {
  const srv = new RobotServer();
  let t: TestApp;
  let admin: string;
  let supervisor: string;
  let unitA: number;
  let unitB: number;

  const overrides = () => ({
    ROBOT_ALLOWED_HOSTS: srv.host,
    ROBOT_RATE_WINDOW_SECONDS: String(WINDOW),
    MAIL_RETRY_BASE_SECONDS: '1',
  });
  const drain = (app: TestApp = t) => app.app.get(OutboxWorker).processDue();
  const addRobot = async (token: string, body: object) => {
    const res = await t.http.post('/api/v1/robots').set(auth(token)).send(body);
    if (res.status !== 201) throw new Error(`add robot: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; webhook: string; secret: string | null };
  };
  /** Queues messages for a unit's robots the way other features do. */
  const enqueue = (unitId: number, n: number, prefix: string, app: TestApp = t) =>
    RequestContext.create(app.orm.em, () =>
      app.orm.em.fork().transactional(async (tx) => {
        const robots = app.app.get(RobotChannel);
        for (let i = 0; i < n; i++) {
          await robots.enqueueFor(
            tx,
            { unitId },
            {
              keyBase: `${prefix}:${i}`,
              kind: 'test_notice',
              period: '2025-06',
              title: `通知 ${i}`,
              markdown: `${prefix} #${i}`,
            },
          );
        }
      }),
    );

  beforeAll(async () => {
    await srv.start();
    t = await createTestApp(overrides(), { today: '2025-06-15' });
    admin = await t.login(ADMIN.email, ADMIN.password);
    unitA = (await createUnit(t, admin, { name: '机器人单位 A', province: '44' })).id;
    unitB = (await createUnit(t, admin, { name: '机器人单位 B', province: '44' })).id;
    await createUnit(t, admin, { name: '机器人单位 C', province: '33' });
    await createUser(
      t,
      admin,
      { email: 'robot-unit@example.cn', role: 'unit', unitId: unitA },
      'long-enough-password-1',
    );
    supervisor = await createUser(t, admin, {
      email: 'robot-sup@example.cn',
      role: 'supervisor',
      provinces: ['44'],
    });
  });
  afterAll(async () => {
    await t?.close();
    await srv.close();
  });

  it('validates webhooks and secrets, and never shows a key, token or secret back in full', async () => {
    const bad = await t.http.post('/api/v1/robots').set(auth(admin)).send({
      kind: 'wecom',
      name: 'x',
      province: '44',
      webhookUrl: 'https://evil.example.com/cgi-bin/webhook/send?key=abcdefgh12',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('webhookUrl');
    const swapped = await t.http
      .post('/api/v1/robots')
      .set(auth(admin))
      .send({ kind: 'dingtalk', name: 'x', province: '44', webhookUrl: srv.wecom('abcdefgh12') });
    expect(swapped.status).toBe(400);
    const both = await t.http
      .post('/api/v1/robots')
      .set(auth(admin))
      .send({ kind: 'wecom', name: 'x', province: '44', unitId: unitA, webhookUrl: srv.wecom('abcdefgh12') });
    expect(both.status).toBe(400);
    const wecomSecret = await t.http
      .post('/api/v1/robots')
      .set(auth(admin))
      .send({
        kind: 'wecom',
        name: 'x',
        province: '44',
        webhookUrl: srv.wecom('abcdefgh12'),
        secret: SECRET,
      });
    expect(wecomSecret.status).toBe(400);
    expect(JSON.stringify(wecomSecret.body)).toContain('secret');
    // Production stays strict: http and unknown hosts are refused without the override.
    const strict = await t.http.post('/api/v1/robots').set(auth(admin)).send({
      kind: 'wecom',
      name: 'x',
      province: '44',
      webhookUrl: 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh12',
    });
    expect(strict.status).toBe(400);
    // A supervisor may not add one for another province.
    const outside = await t.http
      .post('/api/v1/robots')
      .set(auth(supervisor))
      .send({ kind: 'wecom', name: 'x', province: '33', webhookUrl: srv.wecom('abcdefgh12') });
    expect(outside.status).toBe(404);
  });

  it('a WeCom and a signed DingTalk robot of the province get its monthly digest; a unit robot its report', async () => {
    const wecom = await addRobot(supervisor, {
      kind: 'wecom',
      name: '省局企业微信群',
      province: '44',
      webhookUrl: srv.wecom('province44-wecom-key-0001'),
    });
    const ding = await addRobot(admin, {
      kind: 'dingtalk',
      name: '省局钉钉群',
      province: '44',
      webhookUrl: srv.dingtalk('signed-province44-token'),
      secret: SECRET,
    });
    const unitRobot = await addRobot(supervisor, {
      kind: 'wecom',
      name: '单位群',
      unitId: unitA,
      webhookUrl: srv.wecom('unit-a-wecom-key-0001'),
    });
    await addRobot(admin, {
      kind: 'wecom',
      name: '浙江群',
      province: '33',
      webhookUrl: srv.wecom('province33-key-0001'),
    });
    expect(wecom.webhook).not.toContain('province44-wecom-key-0001');
    expect(ding.secret).not.toContain(SECRET.slice(4));
    const listed = await t.http.get('/api/v1/robots').set(auth(supervisor));
    expect(listed.status).toBe(200);
    expect(listed.body.map((r: { id: number }) => r.id).sort()).toEqual(
      [wecom.id, ding.id, unitRobot.id].sort(),
    );
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain('province44-wecom-key-0001');
    expect(text).not.toContain(SECRET);

    const run = await t.http.post('/api/v1/reports/runs').set(auth(admin)).send({ period: '2025-05' });
    expect(run.status).toBe(201);
    await drain();
    expect(srv.problems).toEqual([]);
    const [w] = srv.of('province44-wecom-key-0001');
    expect(srv.of('province44-wecom-key-0001')).toHaveLength(1);
    expect(w.body.markdown?.content).toContain('单位 **2** 个');
    expect(w.body.markdown?.content).toContain('/overview?province=44');
    const [d] = srv.of('signed-province44-token');
    expect(srv.of('signed-province44-token')).toHaveLength(1);
    expect(d.body.markdown?.title).toContain('2025-05');
    expect(d.body.markdown?.text).toContain('/overview?province=44');
    expect(srv.of('province33-key-0001')[0].body.markdown?.content).toContain('单位 **1** 个');
    expect(srv.of('unit-a-wecom-key-0001')[0].body.markdown?.content).toContain('机器人单位 A');

    // The admin outbox shows them with their channel and masked webhook.
    const outbox = await t.http.get('/api/v1/outbox?kind=supervisor_digest').set(auth(admin));
    const robotRows = outbox.body.items.filter((m: { channel: string }) => m.channel !== 'mail');
    expect(robotRows.map((m: { channel: string }) => m.channel).sort()).toEqual([
      'dingtalk',
      'wecom',
      'wecom',
    ]);
    expect(JSON.stringify(outbox.body)).not.toContain('province44-wecom-key-0001');
    for (const m of robotRows) expect(m.status).toBe('sent');
    const adminPages = await pageLogin(t, ADMIN.email, ADMIN.password);
    const listPage = await adminPages.get('/admin/outbox?kind=supervisor_digest');
    expect(listPage.text).toContain('dingtalk · ');
    expect(listPage.text).not.toContain('province44-wecom-key-0001');
    const detail = await adminPages.get(`/admin/outbox/${robotRows[0].id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('/overview?province=');
    expect(detail.text).not.toContain('data-testid="mail-preview"');

    // Running the period again queues nothing new for the robots.
    await t.http.post('/api/v1/reports/runs').set(auth(admin)).send({ period: '2025-05' });
    await drain();
    expect(srv.of('province44-wecom-key-0001')).toHaveLength(1);
  });

  it('a robot answering its rate-limit code is retried later, and the message is not lost', async () => {
    const robot = await addRobot(admin, {
      kind: 'dingtalk',
      name: '限流群',
      unitId: unitB,
      webhookUrl: srv.dingtalk('limited-token-0001'),
    });
    srv.script.set('limited-token-0001', [{ errcode: 130101, errmsg: 'send too fast' }]);
    await enqueue(unitB, 1, 'limited');
    await drain();
    const em = t.orm.em.fork();
    const row = await em.findOneOrFail(OutboxMessage, { robotId: robot.id });
    expect(row.status).toBe('queued');
    expect(row.lastError).toContain('130101');
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    expect(srv.of('limited-token-0001')).toHaveLength(0);
    await sleep(1200);
    await drain();
    expect(srv.of('limited-token-0001').map((r) => r.body.markdown?.text)).toEqual(['limited #0']);
    expect((await em.fork().findOneOrFail(OutboxMessage, { robotId: robot.id })).status).toBe('sent');
  });

  it('any other error code fails the message for good with the answer', async () => {
    const robot = await addRobot(admin, {
      kind: 'wecom',
      name: '坏群',
      unitId: unitB,
      webhookUrl: srv.wecom('broken-key-0001'),
    });
    srv.script.set('broken-key-0001', [{ errcode: 93000, errmsg: 'invalid webhook url' }]);
    await enqueue(unitB, 1, 'broken');
    await drain();
    const row = await t.orm.em
      .fork()
      .findOneOrFail(OutboxMessage, { robotId: robot.id, kind: 'test_notice' });
    expect(row.status).toBe('failed');
    expect(row.lastError).toContain('93000');
    expect(row.lastError).toContain('invalid webhook url');
    expect(row.attempts).toBe(1);
  });

  it('at most 20 messages per robot in a window; the rest follow in the next one', async () => {
    const unit = (await createUnit(t, admin, { name: '限速单位', province: '44' })).id;
    await addRobot(admin, {
      kind: 'wecom',
      name: '限速群',
      unitId: unit,
      webhookUrl: srv.wecom('rate-key-0001'),
    });
    await enqueue(unit, 25, 'rate');
    const first = await drain();
    expect(first.sent).toBe(20);
    expect(srv.of('rate-key-0001')).toHaveLength(20);
    await sleep(WINDOW * 1000 + 200);
    await drain();
    const got = srv.of('rate-key-0001');
    expect(new Set(got.map((r) => r.body.markdown?.content)).size).toBe(25);
    for (const r of got)
      expect(got.filter((o) => o.at > r.at - WINDOW * 1000 && o.at <= r.at).length).toBeLessThanOrEqual(20);
  });

  it('two instances send each robot message exactly once', async () => {
    const b = await createTestApp({ DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, ...overrides() });
    try {
      const unit = (await createUnit(t, admin, { name: '双实例单位', province: '44' })).id;
      await addRobot(admin, {
        kind: 'dingtalk',
        name: '双实例群',
        unitId: unit,
        webhookUrl: srv.dingtalk('twice-token-0001'),
      });
      await enqueue(unit, 12, 'twice');
      await enqueue(unit, 12, 'twice', b); // the same keys again, from the other instance: nothing new
      await Promise.all([drain(t), drain(b)]);
      const texts = srv.of('twice-token-0001').map((r) => r.body.markdown?.text);
      expect(texts).toHaveLength(12);
      expect(new Set(texts).size).toBe(12);
    } finally {
      await b.app.close();
    }
  });

  it("a unit's robots get its rejection notices (reason and link) and its deadline reminders", async () => {
    const robot = await addRobot(admin, {
      kind: 'wecom',
      name: '单位通知群',
      unitId: unitA,
      webhookUrl: srv.wecom('unit-notices-1'),
    });
    const unitUser = await t.login('robot-unit@example.cn', 'long-enough-password-1');
    const created = await t.http
      .post('/api/v1/activities')
      .set(auth(unitUser))
      .send({ requirement: 'exchange_events', date: '2025-06-01', title: '交流会[一]', location: '会议室' });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect((await submitWithEvidence(t.http, id, auth(unitUser))).status).toBe(200);
    await t.http
      .post(`/api/v1/activities/${id}/reject`)
      .set(auth(supervisor))
      .send({ reason: '缺少签到表' })
      .expect(200);
    // 60 days before the year's end the unit still needs everything: a reminder, to its robots too.
    const reminders = t.app.get(RemindersService);
    await RequestContext.create(t.orm.em, () => reminders.run('2025-11-01'));
    await RequestContext.create(t.orm.em, () => reminders.run('2025-11-01')); // again: nothing new
    await drain();
    const texts = srv.of('unit-notices-1').map((r) => r.body.markdown?.content ?? '');
    expect(texts).toHaveLength(2);
    const [notice, reminder] = texts;
    expect(notice).toContain('缺少签到表');
    expect(notice).toContain(`/activities/${id})`);
    // Brackets in the title would make a link: shown as plain text.
    expect(notice).not.toContain('交流会[一]');
    expect(reminder).toContain('还需');
    expect(reminder).toContain(`/units/${unitA})`);
    const rows = await t.orm.em.fork().find(OutboxMessage, { robotId: robot.id }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.idempotencyKey)).toEqual([
      expect.stringMatching(new RegExp(`^notice_rejected:${id}:\\d+:robot:${robot.id}$`)),
      `reminder:${unitA}:2025-12-31:60:robot:${robot.id}`,
    ]);
  });

  it("an hour's verifications go to the unit's robots, a day's submissions to the province's", async () => {
    await addRobot(admin, {
      kind: 'dingtalk',
      name: '省通知群',
      province: '44',
      webhookUrl: srv.dingtalk('province-notices-1'),
    });
    await addRobot(admin, {
      kind: 'wecom',
      name: '单位通知群 B',
      unitId: unitB,
      webhookUrl: srv.wecom('unit-notices-2'),
    });
    const created = await t.http.post('/api/v1/activities').set(auth(admin)).send({
      unitId: unitB,
      requirement: 'exchange_events',
      date: '2025-06-02',
      title: '观摩活动',
      location: '展厅',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect((await submitWithEvidence(t.http, id, auth(admin))).status).toBe(200);
    await t.http.post(`/api/v1/activities/${id}/verify`).set(auth(supervisor)).expect(200);
    const notices = t.app.get(NoticesService);
    const tick = (at: Date) => RequestContext.create(t.orm.em, () => notices.tick(at));
    await tick(new Date(Date.now() + 65 * 60_000)); // the verification's hour has ended
    await tick(new Date(`${addDays(todayIn(), 1)}T09:00:00+08:00`)); // the next morning's digests
    await tick(new Date(`${addDays(todayIn(), 1)}T09:05:00+08:00`)); // a later tick: nothing new
    await drain();
    const province = srv.of('province-notices-1').map((r) => r.body.markdown?.text ?? '');
    expect(province).toHaveLength(1);
    expect(province[0]).toContain('机器人单位 B · 2025-06-02 · 观摩活动');
    expect(province[0]).toContain('/review)');
    const unit = srv.of('unit-notices-2').map((r) => r.body.markdown?.content ?? '');
    expect(unit).toHaveLength(1);
    expect(unit[0]).toContain('2025-06-02 · 观摩活动');
    expect(unit[0]).toContain(`/units/${unitB})`);
  });

  it('a deleted robot is gone for its own scope only; others get 404', async () => {
    const robot = await addRobot(admin, {
      kind: 'wecom',
      name: '删除群',
      province: '33',
      webhookUrl: srv.wecom('delete-key-0001'),
    });
    expect((await t.http.delete(`/api/v1/robots/${robot.id}`).set(auth(supervisor))).status).toBe(404);
    expect((await t.http.delete(`/api/v1/robots/${robot.id}`).set(auth(admin))).status).toBe(204);
    expect((await t.http.delete(`/api/v1/robots/${robot.id}`).set(auth(admin))).status).toBe(404);
  });

  it('the robots page: supervisors add (CSRF-checked) and remove robots, shown masked; unit users get 403', async () => {
    const unitUser = await pageLogin(t, 'robot-unit@example.cn', 'long-enough-password-1');
    expect((await unitUser.get('/robots')).status).toBe(403);
    const sup = await pageLogin(t, 'robot-sup@example.cn', 'long-enough-password-1');
    const page = await sup.get('/robots');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('province44-wecom-key-0001');
    expect(page.text).not.toContain(SECRET);
    const form = {
      _csrf: csrfOf(page.text),
      kind: 'dingtalk',
      name: '页面钉钉群',
      province: '44',
      webhookUrl: srv.dingtalk('page-token-00001'),
      secret: SECRET,
    };
    const forged = await sup
      .post('/robots')
      .type('form')
      .send({ ...form, _csrf: 'forged' });
    expect(forged.status).toBe(403);
    const refused = await sup
      .post('/robots')
      .type('form')
      .send({ ...form, province: '', unitId: '' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('data-error-for="province"');
    expect(refused.text).not.toContain(SECRET);
    const created = await sup.post('/robots').type('form').send(form);
    expect(created.status).toBe(303);
    const after = await sup.get('/robots');
    expect(after.text).toContain('页面钉钉群');
    expect(after.text).not.toContain('page-token-00001');
    expect(after.text).not.toContain(SECRET);
    const id = (await t.http.get('/api/v1/robots').set(auth(supervisor))).body.find(
      (r: { name: string }) => r.name === '页面钉钉群',
    ).id;
    const removed = await sup
      .post(`/robots/${id}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(after.text) });
    expect(removed.status).toBe(303);
    expect((await sup.get('/robots')).text).not.toContain('页面钉钉群');
  });
});
