import { ModuleRef } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RequestContext } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { OutboxMessage, ReportRun, User } from '@app/db';
import { OutboxWorker } from '@app/mail';
import { DemoSeedService } from '../../apps/tracker/src/demo/demo-seed.service';
import { REPORT_JOB } from '../../apps/tracker/src/reports/reports.scheduler';
import { SUPERVISOR_DIGEST, UNIT_REPORT } from '../../apps/tracker/src/reports/report-mails.service';
import { ReportsService, type RunSummary } from '../../apps/tracker/src/reports/reports.service';
import { createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { startSmtp, type TestSmtpServer } from '../support/smtp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Another instance of the service on the same database (and data folder). */
function sibling(first: TestApp, overrides: Record<string, string> = {}) {
  return createTestApp({ DATABASE_URL: first.databaseUrl, DATA_DIR: first.dataDir, ...overrides });
}

function tick(t: TestApp, at: Date): Promise<RunSummary> {
  return RequestContext.create(t.orm.em, () => t.app.get(ReportsService).tick(at));
}

/** Recipients the seeded data has: every unit contact and the supervisor. */
async function expectedRecipients(t: TestApp): Promise<number> {
  const rows = await t.orm.em
    .fork()
    .getConnection()
    .execute<{ contacts: string | unknown[] }[]>(`select "contacts" from "units"`);
  const contacts = rows.reduce(
    (n: number, r: { contacts: string | unknown[] }) =>
      n + (typeof r.contacts === 'string' ? JSON.parse(r.contacts) : r.contacts).length,
    0,
  );
  return contacts + (await t.orm.em.fork().count(User, { role: 'supervisor', active: true }));
}

describe('monthly reports across instances: one tick, one mail per recipient', () => {
  let smtp: TestSmtpServer;
  let a: TestApp;
  let b: TestApp;
  let recipients: number;

  beforeAll(async () => {
    smtp = await startSmtp();
    a = await createTestApp({ SMTP_URL: smtp.url });
    b = await sibling(a, { SMTP_URL: smtp.url });
    await (await a.app.get(ModuleRef).create(DemoSeedService)).seed({ province: '32', units: 6 });
    recipients = await expectedRecipients(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await smtp?.close();
  });

  it('two instances running the same tick create the rows once, and their workers send each once', async () => {
    const at = new Date();
    const results = await Promise.allSettled([tick(a, at), tick(b, at)]);
    const done = results.filter((r): r is PromiseFulfilledResult<RunSummary> => r.status === 'fulfilled');
    const created = done.filter((r) => r.value.runId !== null);
    expect(created).toHaveLength(1);
    expect(created[0].value.queued).toBe(recipients);
    if (TEST_DB === 'postgresql') {
      // The loser either found the advisory lock held or, after it, the run already recorded.
      expect(done).toHaveLength(2);
      expect(done.map((r) => r.value.skipped).filter(Boolean)).toEqual([
        expect.stringMatching(/^(locked|already_ran)$/),
      ]);
    }
    const em = a.orm.em.fork();
    expect(await em.count(ReportRun, {})).toBe(1);
    expect(await em.count(OutboxMessage, {})).toBe(recipients);

    const [wa, wb] = await Promise.all([
      a.app.get(OutboxWorker).processDue(),
      b.app.get(OutboxWorker).processDue(),
    ]);
    expect(wa.sent + wb.sent).toBe(recipients);
    expect(smtp.received).toHaveLength(recipients);
    const keys = new Set(smtp.received.map((m) => `${m.to.join()}|${m.parsed.subject}`));
    expect(keys.size).toBe(recipients);
    const ids = new Set(smtp.received.map((m) => m.parsed.messageId));
    expect(ids.size).toBe(recipients);
  });

  it('a later tick of the same period does nothing', async () => {
    const again = await tick(b, new Date());
    expect(again).toMatchObject({ runId: null, skipped: 'already_ran', queued: 0 });
    expect(await a.orm.em.fork().count(ReportRun, {})).toBe(1);
  });

  it('on PostgreSQL a tick gives up while another instance holds the lock; a manual run waits for it', async () => {
    if (TEST_DB !== 'postgresql') {
      // SQLite has no advisory locks: one process owns the file (README), so only the key check applies.
      expect(await a.orm.em.fork().count(OutboxMessage, {})).toBe(recipients);
      return;
    }
    // A plain connection-level transaction, outside MikroORM's async context, stands for the other instance.
    const knex = (a.orm.em.getConnection() as unknown as { getKnex(): Knex }).getKnex();
    const other = await knex.transaction();
    let manual: Promise<RunSummary>;
    try {
      await other.raw('select pg_advisory_xact_lock(7303001)');
      const lost = await tick(b, new Date(Date.now() + 32 * 86400_000));
      expect(lost).toMatchObject({ runId: null, skipped: 'locked' });
      manual = RequestContext.create(b.orm.em, () =>
        b.app.get(ReportsService).run('2026-01', { trigger: 'manual' }),
      );
      await sleep(300);
      expect(await a.orm.em.fork().count(ReportRun, { period: '2026-01' })).toBe(0);
    } finally {
      await other.commit();
    }
    const res = await manual!;
    expect(res.runId).not.toBeNull();
  });
});

describe('monthly reports: schedule per role, catch-up at start-up', () => {
  let smtp: TestSmtpServer;
  let web: TestApp;

  beforeAll(async () => {
    smtp = await startSmtp();
    web = await createTestApp({ SMTP_URL: smtp.url });
    await (await web.app.get(ModuleRef).create(DemoSeedService)).seed({ province: '35', units: 3 });
  });
  afterAll(async () => {
    await web?.close();
    await smtp?.close();
  });

  it('a web-only instance schedules nothing; a fresh installation has nothing to catch up', async () => {
    expect(web.app.get(SchedulerRegistry).doesExist('cron', REPORT_JOB)).toBe(false);
    const result = await RequestContext.create(web.orm.em, () =>
      web.app.get(ReportsService).catchUp(new Date()),
    );
    expect(result).toBeNull();
  });

  const REPORT_MAILS_SENT = { status: 'sent' as const, kind: { $in: [UNIT_REPORT, SUPERVISOR_DIGEST] } };

  it('a worker started after a missed tick catches it up once and sends the mails', async () => {
    // The installation is older than the last tick (1st of the month, 08:00 Shanghai) that nobody ran.
    await web.orm.em.fork().nativeUpdate(User, {}, { createdAt: new Date(Date.now() - 60 * 86400_000) });
    const recipients = await expectedRecipients(web);
    const worker = await sibling(web, { SMTP_URL: smtp.url, ROLE: 'worker', MAIL_POLL_SECONDS: '1' });
    try {
      const job = worker.app.get(SchedulerRegistry).getCronJob(REPORT_JOB);
      expect(job.cronTime.source).toBe('0 8 1 * *');
      const run = await until('the catch-up run', () =>
        web.orm.em.fork().findOne(ReportRun, { trigger: 'catch_up' }),
      );
      expect(run.scheduledFor!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(run.queued).toBe(recipients);
      await smtp.waitFor(recipients);
      // (The worker's start-up also catches up the day's deadline reminders: only the run's kinds count.)
      await until(
        'every mail marked sent',
        async () => (await web.orm.em.fork().count(OutboxMessage, REPORT_MAILS_SENT)) === recipients,
      );
    } finally {
      await worker.close();
    }

    const again = await sibling(web, { SMTP_URL: smtp.url, ROLE: 'worker' });
    try {
      const result = await RequestContext.create(again.orm.em, () =>
        again.app.get(ReportsService).catchUp(new Date()),
      );
      expect(result).toBeNull();
      await sleep(500);
      expect(await web.orm.em.fork().count(ReportRun, {})).toBe(1);
      expect(await web.orm.em.fork().count(OutboxMessage, REPORT_MAILS_SENT)).toBe(recipients);
      // Each sent row once, whatever its kind.
      expect(smtp.received).toHaveLength(await web.orm.em.fork().count(OutboxMessage, { status: 'sent' }));
    } finally {
      await again.close();
    }
  });

  it('REPORTS_ENABLED=false keeps a worker from scheduling or catching up', async () => {
    const off = await sibling(web, { ROLE: 'worker', REPORTS_ENABLED: 'false', SMTP_URL: smtp.url });
    try {
      expect(off.app.get(SchedulerRegistry).doesExist('cron', REPORT_JOB)).toBe(false);
    } finally {
      await off.close();
    }
  });

  it('refuses a bad REPORT_CRON or REPORT_TZ at start-up, naming the variable', async () => {
    await expect(createTestApp({ REPORT_CRON: 'every monday' })).rejects.toThrow(/REPORT_CRON/);
    await expect(createTestApp({ REPORT_TZ: 'Mars/Olympus' })).rejects.toThrow(/REPORT_TZ/);
  });
});
