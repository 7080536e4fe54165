import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { AuditLog, OutboxMessage } from '@app/db';
import { messageIdFor, OutboxService, OutboxWorker, type RenderedMail } from '@app/mail';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { pngSize, type SmtpAnswer, startSmtp, type TestSmtpServer } from '../support/smtp';

// A 2×1 PNG, so attachments are real images.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAEUlEQVR4nGP4z8DwHwQZGBgAKfgF+xRxz40AAAAASUVORK5CYII=',
  'base64',
);

function mail(n: string): RenderedMail {
  return {
    subject: `测试邮件 ${n}`,
    html: `<p>你好 <img src="cid:dot@test"></p>`,
    text: `你好 ${n}`,
    attachments: [{ filename: 'dot.png', contentType: 'image/png', cid: 'dot@test', content: PNG }],
  };
}

async function enqueue(t: TestApp, key: string, to: string) {
  const em = t.orm.em.fork();
  await t.app
    .get(OutboxService)
    .enqueue(
      [{ idempotencyKey: key, kind: 'test', period: '2026-05', recipient: to, rendered: mail(key) }],
      em,
    );
  return em.fork().findOneOrFail(OutboxMessage, { idempotencyKey: key });
}

const row = (t: TestApp, key: string) =>
  t.orm.em.fork().findOneOrFail(OutboxMessage, { idempotencyKey: key });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outbox: SMTP delivery, retries, permanent failures, admin endpoints', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let worker: OutboxWorker;
  let token: string;
  /** Per recipient: the answers to give, in order; accept once they run out. */
  const script = new Map<string, SmtpAnswer[]>();

  beforeAll(async () => {
    smtp = await startSmtp({ answer: (_n, to) => script.get(to[0])?.shift() ?? 'accept' });
    t = await createTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: '示范项目平台 <noreply@tracker.example.gov.cn>',
      MAIL_REPLY_TO: 'office@tracker.example.gov.cn',
      MAIL_RETRY_BASE_SECONDS: '1',
      MAIL_MAX_ATTEMPTS: '4',
    });
    worker = t.app.get(OutboxWorker);
    token = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('sends a queued mail once over SMTP with the deterministic Message-ID, From and Reply-To', async () => {
    const queued = await enqueue(t, 'test:2026-05:one@unit.cn', 'One@Unit.cn');
    expect(queued).toMatchObject({ status: 'queued', attempts: 0, recipient: 'one@unit.cn' });
    expect(queued.messageId).toBe(
      messageIdFor('test:2026-05:one@unit.cn', '<noreply@tracker.example.gov.cn>'),
    );

    const summary = await worker.processDue();
    expect(summary).toMatchObject({ claimed: 1, sent: 1, failed: 0, retrying: 0 });
    const got = smtp.received.filter((m) => m.to.includes('one@unit.cn'));
    expect(got).toHaveLength(1);
    const parsed = got[0].parsed;
    expect(parsed.messageId).toBe(queued.messageId);
    expect(parsed.subject).toBe('测试邮件 test:2026-05:one@unit.cn');
    expect(parsed.from?.value[0].address).toBe('noreply@tracker.example.gov.cn');
    expect(parsed.replyTo?.value[0].address).toBe('office@tracker.example.gov.cn');
    const img = parsed.attachments.find((a) => a.contentId === '<dot@test>');
    expect(img?.contentType).toBe('image/png');
    expect(pngSize(img!.content)).toEqual({ width: 2, height: 1 });

    const sent = await row(t, 'test:2026-05:one@unit.cn');
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, lastError: null, claimToken: null });
    expect(sent.transportResponse).toMatch(/^250/);
    // Content is dropped once delivered, the description stays.
    expect(sent.attachments).toEqual([
      { filename: 'dot.png', contentType: 'image/png', cid: 'dot@test', size: PNG.length },
    ]);
    expect(await t.orm.em.fork().count(AuditLog, { action: 'mail_sent', entityId: String(sent.id) })).toBe(1);

    expect(await worker.processDue()).toMatchObject({ claimed: 0 });
    expect(smtp.received.filter((m) => m.to.includes('one@unit.cn'))).toHaveLength(1);
  });

  it('enqueueing the same key again creates nothing', async () => {
    const em = t.orm.em.fork();
    const result = await t.app.get(OutboxService).enqueue(
      [
        {
          idempotencyKey: 'test:2026-05:one@unit.cn',
          kind: 'test',
          period: '2026-05',
          recipient: 'one@unit.cn',
          rendered: mail('x'),
        },
      ],
      em,
    );
    expect(result).toEqual({ created: 0, existing: { queued: 0, sending: 0, sent: 1, failed: 0 } });
    expect(await em.fork().count(OutboxMessage, { idempotencyKey: 'test:2026-05:one@unit.cn' })).toBe(1);
  });

  it('retries 451 with exponential backoff and sends once: attempts = 3', async () => {
    const to = 'greylist@unit.cn';
    script.set(to, [
      { code: 451, message: 'Greylisted, try again later' },
      { code: 451, message: 'Greylisted, try again later' },
    ]);
    const before = smtp.attempts;
    await enqueue(t, `test:2026-05:${to}`, to);

    expect(await worker.processDue()).toMatchObject({ claimed: 1, retrying: 1 });
    let r = await row(t, `test:2026-05:${to}`);
    expect(r).toMatchObject({ status: 'queued', attempts: 1 });
    expect(r.lastError).toMatch(/451.*Greylisted/);
    const wait1 = r.nextAttemptAt.getTime() - r.lastAttemptAt!.getTime();
    expect(wait1).toBeGreaterThanOrEqual(900);
    expect(wait1).toBeLessThan(1500);
    // Not due yet: nothing is claimed.
    expect(await worker.processDue()).toMatchObject({ claimed: 0 });

    await sleep(1100);
    expect(await worker.processDue()).toMatchObject({ claimed: 1, retrying: 1 });
    r = await row(t, `test:2026-05:${to}`);
    expect(r).toMatchObject({ status: 'queued', attempts: 2 });
    const wait2 = r.nextAttemptAt.getTime() - r.lastAttemptAt!.getTime();
    expect(wait2).toBeGreaterThanOrEqual(1900);
    expect(wait2).toBeLessThan(2500);

    await sleep(2100);
    expect(await worker.processDue()).toMatchObject({ claimed: 1, sent: 1 });
    r = await row(t, `test:2026-05:${to}`);
    expect(r).toMatchObject({ status: 'sent', attempts: 3 });
    expect(smtp.attempts - before).toBe(3);
    expect(smtp.received.filter((m) => m.to.includes(to))).toHaveLength(1);
  });

  it('a 550 answer fails the mail at once, keeps the answer and is not retried', async () => {
    const to = 'nobody@unit.cn';
    script.set(to, [{ code: 550, message: 'No such user here' }]);
    const before = smtp.attempts;
    await enqueue(t, `test:2026-05:${to}`, to);
    expect(await worker.processDue()).toMatchObject({ claimed: 1, failed: 1 });
    const r = await row(t, `test:2026-05:${to}`);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.lastError).toMatch(/550.*No such user here/);
    await sleep(1100);
    expect(await worker.processDue()).toMatchObject({ claimed: 0 });
    expect(smtp.attempts - before).toBe(1);
    expect(smtp.received.filter((m) => m.to.includes(to))).toHaveLength(0);
    const audit = await t.orm.em
      .fork()
      .findOneOrFail(AuditLog, { action: 'mail_failed', entityId: String(r.id) });
    expect(JSON.stringify(audit.changes)).toContain('550');
  });

  it('stops after MAIL_MAX_ATTEMPTS transient failures', async () => {
    const to = 'always-busy@unit.cn';
    script.set(
      to,
      Array.from({ length: 10 }, () => ({ code: 421, message: 'Service busy' })),
    );
    await enqueue(t, `test:2026-05:${to}`, to);
    for (let i = 0; i < 4; i++) {
      await t.orm.em
        .fork()
        .nativeUpdate(
          OutboxMessage,
          { idempotencyKey: `test:2026-05:${to}` },
          { nextAttemptAt: new Date(0) },
        );
      await worker.processDue();
    }
    const r = await row(t, `test:2026-05:${to}`);
    expect(r).toMatchObject({ status: 'failed', attempts: 4 });
    expect(r.lastError).toMatch(/421/);
  });

  it('picks up a mail whose sender died mid-send once its lease has expired, not before', async () => {
    const to = 'lease@unit.cn';
    const m = await enqueue(t, `test:2026-05:${to}`, to);
    const em = t.orm.em.fork();
    // As a crashed worker leaves it: claimed, attempt counted, lease running.
    await em.nativeUpdate(
      OutboxMessage,
      { id: m.id },
      {
        status: 'sending',
        attempts: 1,
        claimToken: 'dead-worker',
        lockedUntil: new Date(Date.now() + 60_000),
      },
    );
    expect(await worker.processDue()).toMatchObject({ claimed: 0 });
    await em.nativeUpdate(OutboxMessage, { id: m.id }, { lockedUntil: new Date(Date.now() - 1000) });
    expect(await worker.processDue()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await row(t, `test:2026-05:${to}`)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('concurrent passes never claim the same mail twice', async () => {
    const em = t.orm.em.fork();
    const specs = Array.from({ length: 30 }, (_, i) => ({
      idempotencyKey: `test:2026-05:bulk${i}@unit.cn`,
      kind: 'test',
      period: '2026-05',
      recipient: `bulk${i}@unit.cn`,
      rendered: mail(String(i)),
    }));
    await t.app.get(OutboxService).enqueue(specs, em);
    const results = await Promise.all([worker.processDue(), worker.processDue(), worker.processDue()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(30);
    for (let i = 0; i < 30; i++) {
      expect(smtp.received.filter((m) => m.to.includes(`bulk${i}@unit.cn`))).toHaveLength(1);
    }
  });

  describe('admin endpoints', () => {
    const auth = () => ({ authorization: `Bearer ${token}` });

    it('lists with filters, shows one mail, refuses bad filters naming the field', async () => {
      const failed = await t.http.get('/api/v1/outbox?status=failed').set(auth());
      expect(failed.status).toBe(200);
      expect(failed.body.items.map((i: { recipient: string }) => i.recipient).sort()).toEqual([
        'always-busy@unit.cn',
        'nobody@unit.cn',
      ]);
      expect(failed.body.items[0].html).toBeUndefined();
      const byRecipient = await t.http.get('/api/v1/outbox?recipient=GREYLIST').set(auth());
      expect(byRecipient.body).toMatchObject({
        total: 1,
        items: [{ recipient: 'greylist@unit.cn', attempts: 3 }],
      });
      const page = await t.http.get('/api/v1/outbox?period=2026-05&pageSize=5&page=2').set(auth());
      expect(page.body).toMatchObject({ page: 2, pageSize: 5 });
      expect(page.body.items).toHaveLength(5);

      const one = await t.http.get(`/api/v1/outbox/${failed.body.items[0].id}`).set(auth());
      expect(one.status).toBe(200);
      expect(one.body.html).toContain('cid:dot@test');
      expect(one.body.attachments[0].content).toBeUndefined();

      for (const [query, field] of [
        ['status=lost', 'status'],
        ['period=2026-13', 'period'],
        ['pageSize=100000', 'pageSize'],
        ['unitId=abc', 'unitId'],
        ['kind=spam', 'kind'],
        [`recipient=${'x'.repeat(300)}`, 'recipient'],
        ['extra=1', 'extra'],
      ]) {
        const res = await t.http.get(`/api/v1/outbox?${query}`).set(auth());
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect((await t.http.get('/api/v1/outbox/999999').set(auth())).status).toBe(404);
      expect((await t.http.get('/api/v1/outbox/0').set(auth())).status).toBe(400);
    });

    it('retries a failed mail (a fresh set of attempts) and refuses to retry anything else', async () => {
      const failed = await row(t, 'test:2026-05:nobody@unit.cn');
      script.set('nobody@unit.cn', []);
      const res = await t.http.post(`/api/v1/outbox/${failed.id}/retry`).set(auth());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'queued', attempts: 0 });
      expect(
        await t.orm.em.fork().count(AuditLog, { action: 'mail_retry', entityId: String(failed.id) }),
      ).toBe(1);
      await worker.processDue();
      expect(await row(t, 'test:2026-05:nobody@unit.cn')).toMatchObject({ status: 'sent', attempts: 1 });
      expect(smtp.received.filter((m) => m.to.includes('nobody@unit.cn'))).toHaveLength(1);

      const again = await t.http.post(`/api/v1/outbox/${failed.id}/retry`).set(auth());
      expect(again.status).toBe(409);
      expect((await t.http.post('/api/v1/outbox/999999/retry').set(auth())).status).toBe(404);
    });

    it('is for administrators only', async () => {
      await t.http
        .post('/api/v1/users')
        .set(auth())
        .send({
          email: 'sup@x.cn',
          name: '监管',
          password: 'long-enough-1',
          role: 'supervisor',
          provinces: ['44'],
        })
        .expect(201);
      const sup = await t.login('sup@x.cn', 'long-enough-1');
      expect((await t.http.get('/api/v1/outbox').set('authorization', `Bearer ${sup}`)).status).toBe(403);
      expect((await t.http.get('/api/v1/outbox')).status).toBe(401);
    });
  });
});

describe('outbox: the embedded default writes .eml files; connection errors are transient', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ MAIL_RETRY_BASE_SECONDS: '60' });
  });
  afterAll(() => t.close());

  it('writes one .eml per mail under DATA_DIR/mail that a mail parser opens, and records where', async () => {
    await enqueue(t, 'test:2026-05:file@unit.cn', 'file@unit.cn');
    expect(await t.app.get(OutboxWorker).processDue()).toMatchObject({ sent: 1 });
    const r = await row(t, 'test:2026-05:file@unit.cn');
    const dir = join(t.dataDir, 'mail');
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect(r.transportResponse).toBe(`file:${join(dir, files[0])}`);
    const parsed = await simpleParser(readFileSync(join(dir, files[0])), { skipImageLinks: true });
    expect(parsed.subject).toBe('测试邮件 test:2026-05:file@unit.cn');
    expect(parsed.messageId).toBe(r.messageId);
    expect(parsed.html).toContain('cid:dot@test');
    expect(parsed.text?.trim()).toBe('你好 test:2026-05:file@unit.cn');
    expect(pngSize(parsed.attachments[0].content)).toEqual({ width: 2, height: 1 });
  });

  it('treats a refused connection as transient', async () => {
    const down = await createTestApp({ SMTP_URL: 'smtp://127.0.0.1:9', MAIL_RETRY_BASE_SECONDS: '60' });
    try {
      await enqueue(down, 'test:2026-05:down@unit.cn', 'down@unit.cn');
      expect(await down.app.get(OutboxWorker).processDue()).toMatchObject({ retrying: 1 });
      const r = await row(down, 'test:2026-05:down@unit.cn');
      expect(r).toMatchObject({ status: 'queued', attempts: 1 });
      expect(r.lastError).toMatch(/ECONNECTION|ECONNREFUSED/);
      expect(r.nextAttemptAt.getTime() - r.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(59_000);
    } finally {
      await down.close();
    }
  });
});
