import request from 'supertest';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RequestContext } from '@mikro-orm/core';
import { OutboxMessage, type Unit } from '@app/db';
import { OutboxWorker } from '@app/mail';
import {
  RemindersService,
  type ReminderRunSummary,
} from '../../apps/tracker/src/reminders/reminders.service';
import { REMINDER_JOB } from '../../apps/tracker/src/reminders/reminders.scheduler';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { startSmtp, type TestSmtpServer } from '../support/smtp';
import { bearer, makeUnit, makeUser, meetEverything, PASSWORD, recount } from './compliance.fixtures';

/** 30 days before the 2026 period ends: the 30-day reminder is due. */
const TODAY = '2026-12-01';
const CYCLE = { cycleStart: '2025-01-01', cycleEnd: '2027-12-31' };

function run(t: TestApp, today = TODAY): Promise<ReminderRunSummary> {
  return RequestContext.create(t.orm.em, () => t.app.get(RemindersService).run(today));
}

describe('deadline reminders', () => {
  let smtp: TestSmtpServer;
  let a: TestApp;
  let b: TestApp;
  let short: Unit;
  let done: Unit;
  let gone: Unit;

  beforeAll(async () => {
    smtp = await startSmtp();
    a = await createTestApp(
      { SMTP_URL: smtp.url, PUBLIC_URL: 'https://tracker.example.gov.cn' },
      { today: TODAY },
    );
    b = await createTestApp(
      {
        DATABASE_URL: a.databaseUrl,
        DATA_DIR: a.dataDir,
        SMTP_URL: smtp.url,
        PUBLIC_URL: 'https://tracker.example.gov.cn',
      },
      { today: TODAY },
    );
    const em = a.orm.em.fork();
    short = makeUnit(em, {
      name: '缺口单位',
      province: '32',
      ...CYCLE,
      contacts: [
        { name: '张三', email: 'Zhang@Short.example.cn', locale: 'zh' },
        { name: 'Li', email: 'li@short.example.cn', locale: 'en' },
      ],
    });
    done = makeUnit(em, {
      name: '达标单位',
      province: '32',
      ...CYCLE,
      contacts: [{ name: '王五', email: 'wang@done.example.cn' }],
    });
    gone = makeUnit(em, {
      name: '已删除单位',
      province: '32',
      ...CYCLE,
      contacts: [{ name: '赵六', email: 'zhao@gone.example.cn' }],
      deletedAt: new Date(),
    });
    await em.flush();
    em.persist(await makeUser(em, { email: 'user@short.example.cn', role: 'unit', unit: short }));
    await em.flush();
    await meetEverything(a, done);
    await recount(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await smtp?.close();
  });

  it('sends the 30-day reminder once per recipient, with two instances ticking and a restart between', async () => {
    const [ra, rb] = await Promise.all([run(a), run(b)]);
    expect(ra.queued + rb.queued).toBe(3);
    expect(ra.recipients).toBe(3);
    const em = a.orm.em.fork();
    const rows = await em.find(OutboxMessage, { kind: 'reminder' }, { orderBy: { recipient: 'asc' } });
    expect(rows.map((r) => r.idempotencyKey)).toEqual([
      `reminder:${short.id}:2026-12-31:30:li@short.example.cn`,
      `reminder:${short.id}:2026-12-31:30:user@short.example.cn`,
      `reminder:${short.id}:2026-12-31:30:zhang@short.example.cn`,
    ]);

    const [wa, wb] = await Promise.all([
      a.app.get(OutboxWorker).processDue(),
      b.app.get(OutboxWorker).processDue(),
    ]);
    expect(wa.sent + wb.sent).toBe(3);
    await smtp.waitFor(3);

    // A restart: a new instance on the same database runs the same day (and a later one) again.
    const c = await createTestApp(
      { DATABASE_URL: a.databaseUrl, DATA_DIR: a.dataDir, SMTP_URL: smtp.url },
      { today: TODAY },
    );
    try {
      expect((await run(c)).queued).toBe(0);
      expect((await run(c, '2026-12-10')).queued).toBe(0);
      await c.app.get(OutboxWorker).processDue();
    } finally {
      await c.close();
    }
    expect(smtp.received).toHaveLength(3);
    expect(new Set(smtp.received.flatMap((m) => m.to))).toEqual(
      new Set(['zhang@short.example.cn', 'li@short.example.cn', 'user@short.example.cn']),
    );
  });

  it('lists what is still needed, how many and by when, with a link to the unit page, in the contact’s language', () => {
    const zh = smtp.received.find((m) => m.to.includes('zhang@short.example.cn'))!;
    expect(zh.parsed.subject).toContain('缺口单位');
    expect(zh.parsed.text).toContain('张三，您好：');
    expect(zh.parsed.text).toContain('国家级刊物论文还需 1 篇，距 12 月 31 日还有 30 天');
    expect(zh.parsed.text).toContain(`https://tracker.example.gov.cn/units/${short.id}`);
    expect(zh.parsed.html).toContain(`href="https://tracker.example.gov.cn/units/${short.id}"`);
    const en = smtp.received.find((m) => m.to.includes('li@short.example.cn'))!;
    expect(en.parsed.subject).toMatch(/^Reminder: 缺口单位, 30 days until/);
    expect(en.parsed.text).toContain('1 more paper needed, 30 days left until 31 December');
  });

  it('sends nothing to a unit with nothing still needed, nor to a deleted unit', async () => {
    const rows = await a.orm.em.fork().find(OutboxMessage, { unitId: { $in: [done.id, gone.id] } });
    expect(rows).toHaveLength(0);
    expect(smtp.received.some((m) => m.to.some((to) => /done|gone/.test(to)))).toBe(false);
  });

  it('the 7-day reminder follows in its own window; a missed window is skipped, not sent late', async () => {
    expect((await run(a, '2026-12-24')).queued).toBe(3);
    const keys = (await a.orm.em.fork().find(OutboxMessage, { kind: 'reminder' })).map(
      (r) => r.idempotencyKey,
    );
    expect(keys.filter((k) => k.includes(':7:'))).toHaveLength(3);
    // The 60-day reminder (1 November) was never sent: its window closed when the 30-day one opened.
    expect(keys.filter((k) => k.includes(':60:'))).toHaveLength(0);
  });

  describe('the admin’s per-program days', () => {
    let admin: string;
    let unitToken: string;
    beforeAll(async () => {
      admin = await a.login(ADMIN.email, ADMIN.password);
      unitToken = await a.login('user@short.example.cn', PASSWORD);
    });

    it('reads the rule set’s days until an override is set', async () => {
      const res = await request(a.app.getHttpServer())
        .get('/api/v1/rule-sets/service-industry-demo/reminders')
        .set(bearer(admin))
        .expect(200);
      expect(res.body).toEqual({
        program: 'service-industry-demo',
        days: [60, 30, 7],
        defaultDays: [60, 30, 7],
        overridden: false,
      });
    });

    it.each([
      [{ days: [0] }, 'min'],
      [{ days: [366] }, 'max'],
      [{ days: [10, 10] }, 'arrayUnique'],
      [{ days: [1, 2, 3, 4, 5, 6] }, 'arrayMaxSize'],
      [{ days: [1.5] }, 'isInt'],
      [{ days: 'x' }, 'isArray'],
      [{}, 'isArray'],
    ])('refuses %j with a 400 naming days', async (body, rule) => {
      const res = await request(a.app.getHttpServer())
        .put('/api/v1/rule-sets/service-industry-demo/reminders')
        .set(bearer(admin))
        .send(body)
        .expect(400);
      expect(JSON.stringify(res.body)).toContain('"days"');
      expect(JSON.stringify(res.body)).toContain(rule);
    });

    it('is for administrators only, and 404 for an unknown program', async () => {
      await request(a.app.getHttpServer())
        .put('/api/v1/rule-sets/service-industry-demo/reminders')
        .set(bearer(unitToken))
        .send({ days: [5] })
        .expect(403);
      await request(a.app.getHttpServer())
        .get('/api/v1/rule-sets/no-such-program/reminders')
        .set(bearer(admin))
        .expect(404);
    });

    it('an override changes which days send', async () => {
      const res = await request(a.app.getHttpServer())
        .put('/api/v1/rule-sets/service-industry-demo/reminders')
        .set(bearer(admin))
        .send({ days: [3, 20] })
        .expect(200);
      expect(res.body).toMatchObject({ days: [20, 3], overridden: true });
      // 2026-12-11 is 20 days before the end: due under the override only.
      const summary = await run(a, '2026-12-11');
      expect(summary.queued).toBe(3);
      const keys = (await a.orm.em.fork().find(OutboxMessage, { kind: 'reminder' })).map(
        (r) => r.idempotencyKey,
      );
      expect(keys.filter((k) => k.includes(':20:'))).toHaveLength(3);

      await request(a.app.getHttpServer())
        .put('/api/v1/rule-sets/service-industry-demo/reminders')
        .set(bearer(admin))
        .send({ days: null })
        .expect(200)
        .expect((r) => expect(r.body).toMatchObject({ days: [60, 30, 7], overridden: false }));
    });
  });
});

describe('deadline reminders: the daily job and its catch-up at start-up', () => {
  let t: TestApp;
  // 4 and 5 December both lie in the 30-day reminder's window, so the catch-up queues it whether the
  // instance starts before or after today's 08:00 (Shanghai).
  const today = '2026-12-05';

  beforeAll(async () => {
    t = await createTestApp({}, { today });
    const em = t.orm.em.fork();
    em.persist(
      makeUnit(em, {
        name: '补发单位',
        province: '35',
        ...CYCLE,
        contacts: [{ name: '钱七', email: 'qian@late.example.cn' }],
      }),
    );
    await em.flush();
    await recount(t);
  });
  afterAll(() => t?.close());

  it('a web instance schedules nothing; a worker schedules 08:00 daily and catches up a missed day once', async () => {
    expect(t.app.get(SchedulerRegistry).doesExist('cron', REMINDER_JOB)).toBe(false);
    const count = () => t.orm.em.fork().count(OutboxMessage, { kind: 'reminder' });
    expect(await count()).toBe(0);
    for (let i = 0; i < 2; i++) {
      const worker = await createTestApp(
        { DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, ROLE: 'worker', MAIL_POLL_SECONDS: '3600' },
        { today },
      );
      try {
        expect(worker.app.get(SchedulerRegistry).getCronJob(REMINDER_JOB).cronTime.source).toBe('0 8 * * *');
        const end = Date.now() + 15_000;
        while ((await count()) === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      } finally {
        await worker.close();
      }
      const rows = await t.orm.em.fork().find(OutboxMessage, { kind: 'reminder' });
      expect(rows.map((r) => r.idempotencyKey)).toEqual([
        expect.stringMatching(/^reminder:\d+:2026-12-31:30:qian@late\.example\.cn$/),
      ]);
    }
  });
});
