import { AuditLog, OutboxMessage } from '@app/db';
import {
  OutboxRenderers,
  OutboxService,
  OutboxWorker,
  type OutboxRenderer,
  type RenderedMail,
} from '@app/mail';
import { createTestApp, type TestApp } from '../support/test-app';
import { type SmtpAnswer, startSmtp, type TestSmtpServer } from '../support/smtp';

const KIND = 'lease_test';

function mail(subject: string): RenderedMail {
  return { subject, html: `<p>${subject}</p>`, text: subject, attachments: [] };
}

describe('outbox: a worker acts only while its claim holds', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let worker: OutboxWorker;
  /** What the registered renderer does for the current test. */
  let render: OutboxRenderer;
  /** Per recipient: what the server does before answering. */
  const onData = new Map<string, () => Promise<SmtpAnswer>>();

  beforeAll(async () => {
    smtp = await startSmtp({ answer: (_n, to) => onData.get(to[0])?.() ?? 'accept' });
    t = await createTestApp({ SMTP_URL: smtp.url, MAIL_MAX_ATTEMPTS: '3', MAIL_LEASE_SECONDS: '600' });
    worker = t.app.get(OutboxWorker);
    t.app.get(OutboxRenderers).register(KIND, (m) => render(m));
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const key = (to: string) => `${KIND}:${to}`;
  const row = (to: string) => t.orm.em.fork().findOneOrFail(OutboxMessage, { idempotencyKey: key(to) });
  const delivered = (to: string) => smtp.received.filter((m) => m.to.includes(to));
  /** Queues a mail the worker renders itself (like the monthly reports). */
  async function enqueue(to: string, rendered?: RenderedMail, period = '2026-05') {
    await t.app
      .get(OutboxService)
      .enqueue([{ idempotencyKey: key(to), kind: KIND, period, recipient: to, rendered }], t.orm.em.fork());
    return row(to);
  }
  /** What another worker does once our lease has run out: claims the row under its own token. */
  const takeOver = (id: number) =>
    t.orm.em
      .fork()
      .nativeUpdate(
        OutboxMessage,
        { id },
        { claimToken: 'other-worker', lockedUntil: new Date(Date.now() + 600_000) },
      );

  it('sends the subject it stores: a long rendered subject is cut once, before both', async () => {
    const to = 'long-subject@unit.cn';
    // 499 characters then astral ones: the cut falls between a surrogate pair's halves in UTF-16.
    const subject = '报'.repeat(499) + '𠀋'.repeat(20);
    render = async () => mail(subject);
    await enqueue(to);
    expect(await worker.processDue()).toMatchObject({ claimed: 1, sent: 1 });
    const stored = await row(to);
    expect(stored.status).toBe('sent');
    expect(Array.from(stored.subject!)).toHaveLength(500);
    expect(stored.subject).toBe('报'.repeat(499) + '𠀋');
    expect(delivered(to)).toHaveLength(1);
    expect(delivered(to)[0].parsed.subject).toBe(stored.subject);
  });

  it('stops without sending or recording when the row was claimed elsewhere while it was rendering', async () => {
    const to = 'taken-while-rendering@unit.cn';
    const queued = await enqueue(to);
    render = async () => {
      await takeOver(queued.id);
      return mail('报告');
    };
    expect(await worker.processDue()).toMatchObject({ claimed: 1, sent: 0, failed: 0, retrying: 0, lost: 1 });
    expect(delivered(to)).toHaveLength(0);
    // Left as the other worker holds it: nothing of ours stored.
    expect(await row(to)).toMatchObject({
      status: 'sending',
      claimToken: 'other-worker',
      attempts: 1,
      subject: null,
      sentAt: null,
      lastError: null,
    });
    expect(await t.orm.em.fork().count(AuditLog, { entityId: String(queued.id) })).toBe(0);
  });

  it('does not send once its lease has run out, even if nobody has claimed the row yet; a later pass does', async () => {
    const to = 'lease-ran-out@unit.cn';
    const queued = await enqueue(to, mail('已渲染'), '2026-01');
    const [claimed] = await worker.claim(5, '2026-01');
    expect(claimed.id).toBe(queued.id);
    // The worker stalled past its lease before sending.
    await t.orm.em
      .fork()
      .nativeUpdate(OutboxMessage, { id: queued.id }, { lockedUntil: new Date(Date.now() - 1000) });
    expect(await worker.deliver(claimed)).toBe('lost');
    expect(delivered(to)).toHaveLength(0);
    expect(await row(to)).toMatchObject({ status: 'sending', claimToken: claimed.claimToken, attempts: 1 });

    expect(await worker.processDue({ period: '2026-01' })).toMatchObject({ claimed: 1, sent: 1 });
    expect(delivered(to)).toHaveLength(1);
    expect(await row(to)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('does not send a row another worker took over after the claim', async () => {
    const to = 'taken-before-send@unit.cn';
    const queued = await enqueue(to, mail('已渲染'), '2026-02');
    const [claimed] = await worker.claim(5, '2026-02');
    await takeOver(queued.id);
    expect(await worker.deliver(claimed)).toBe('lost');
    expect(delivered(to)).toHaveLength(0);
    expect(await row(to)).toMatchObject({ status: 'sending', claimToken: 'other-worker' });
  });

  it('renews the lease right before sending, so a slow render does not leave the send unleased', async () => {
    const to = 'renewed@unit.cn';
    const queued = await enqueue(to, mail('已渲染'), '2026-03');
    const [claimed] = await worker.claim(5, '2026-03');
    // Most of the lease used up (by a slow render, say).
    await t.orm.em
      .fork()
      .nativeUpdate(OutboxMessage, { id: queued.id }, { lockedUntil: new Date(Date.now() + 2000) });
    let leaseDuringSend = 0;
    onData.set(to, async () => {
      leaseDuringSend = (await row(to)).lockedUntil!.getTime() - Date.now();
      return 'accept';
    });
    expect(await worker.deliver(claimed)).toBe('sent');
    expect(leaseDuringSend).toBeGreaterThan(590_000);
    expect(leaseDuringSend).toBeLessThanOrEqual(601_000);
    expect(delivered(to)).toHaveLength(1);
  });

  it('fails a mail whose worker stopped mid-send on its last allowed attempt instead of claiming it again', async () => {
    const to = 'crashes-worker@unit.cn';
    const queued = await enqueue(to, mail('每次都让进程崩溃'), '2026-04');
    // As a worker that died while sending the third (last, MAIL_MAX_ATTEMPTS=3) attempt leaves it.
    await t.orm.em.fork().nativeUpdate(
      OutboxMessage,
      { id: queued.id },
      {
        status: 'sending',
        attempts: 3,
        claimToken: 'dead-worker',
        lockedUntil: new Date(Date.now() - 1000),
      },
    );
    expect(await worker.processDue({ period: '2026-04' })).toMatchObject({ claimed: 0, sent: 0, failed: 1 });
    expect(await worker.processDue({ period: '2026-04' })).toMatchObject({ claimed: 0, failed: 0 });
    expect(delivered(to)).toHaveLength(0);
    expect(await row(to)).toMatchObject({
      status: 'failed',
      attempts: 3,
      claimToken: null,
      lockedUntil: null,
      lastError: 'worker stopped while sending; attempt limit reached',
    });
    const audit = await t.orm.em
      .fork()
      .find(AuditLog, { action: 'mail_failed', entityId: String(queued.id) });
    expect(audit).toHaveLength(1);
    expect(audit[0].changes).toMatchObject({ error: 'worker stopped while sending; attempt limit reached' });

    // One attempt short of the limit: taken back and sent as before.
    const other = 'crashed-once@unit.cn';
    const second = await enqueue(other, mail('再试一次'), '2026-04');
    await t.orm.em.fork().nativeUpdate(
      OutboxMessage,
      { id: second.id },
      {
        status: 'sending',
        attempts: 2,
        claimToken: 'dead-worker',
        lockedUntil: new Date(Date.now() - 1000),
      },
    );
    expect(await worker.processDue({ period: '2026-04' })).toMatchObject({ claimed: 1, sent: 1, failed: 0 });
    expect(await row(other)).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it("counts neither a send nor a failure whose claim was lost meanwhile: the row is someone else's", async () => {
    const accepted = 'lost-while-sending@unit.cn';
    const refused = 'lost-then-refused@unit.cn';
    const a = await enqueue(accepted, mail('已渲染'), '2026-06');
    const b = await enqueue(refused, mail('已渲染'), '2026-06');
    // The send outlasted the lease and another worker claimed the row meanwhile.
    onData.set(accepted, async () => {
      await takeOver(a.id);
      return 'accept';
    });
    onData.set(refused, async () => {
      await takeOver(b.id);
      return { code: 550, message: 'No such user here' };
    });
    const outcomes: string[] = [];
    const summary = await worker.processDue({ period: '2026-06', onResult: (_m, o) => outcomes.push(o) });
    expect(summary).toEqual({ claimed: 2, sent: 0, retrying: 0, failed: 0, lost: 2 });
    expect(outcomes).toEqual(['lost', 'lost']);
    for (const [to, id] of [
      [accepted, a.id],
      [refused, b.id],
    ] as const) {
      expect(await row(to)).toMatchObject({ status: 'sending', claimToken: 'other-worker', lastError: null });
      expect(await t.orm.em.fork().count(AuditLog, { entityId: String(id) })).toBe(0);
    }
    expect(delivered(accepted)).toHaveLength(1);
  });

  it('enqueue counts as created only the rows it inserted, not a key inserted meanwhile elsewhere', async () => {
    const outbox = t.app.get(OutboxService);
    const spec = (to: string) => ({
      idempotencyKey: key(to),
      kind: KIND,
      period: '2026-07',
      recipient: to,
      rendered: mail('已渲染'),
    });
    expect(await outbox.enqueue([spec('first@unit.cn')], t.orm.em.fork())).toMatchObject({ created: 1 });
    // Another instance inserts the key between this one's lookup and its insert.
    const lookup = jest.spyOn(outbox, 'statusesOf').mockResolvedValueOnce(new Map());
    try {
      const result = await outbox.enqueue([spec('first@unit.cn'), spec('second@unit.cn')], t.orm.em.fork());
      expect(result.created).toBe(1);
    } finally {
      lookup.mockRestore();
    }
    expect(await t.orm.em.fork().count(OutboxMessage, { period: '2026-07' })).toBe(2);
  });

  it('claims no more rows than it sends at once: each claimed row is being sent, each claim is one attempt', async () => {
    const period = '2026-08';
    const tos = Array.from({ length: 12 }, (_, i) => `slow-${i}@unit.cn`);
    for (const to of tos) await enqueue(to, mail('已渲染'), period);
    const claimedWhileSending: number[] = [];
    for (const to of tos) {
      onData.set(to, async () => {
        claimedWhileSending.push(await t.orm.em.fork().count(OutboxMessage, { period, status: 'sending' }));
        await new Promise((r) => setTimeout(r, 50));
        return 'accept';
      });
    }
    try {
      expect(await worker.processDue({ period })).toMatchObject({ claimed: 12, sent: 12, lost: 0 });
    } finally {
      for (const to of tos) onData.delete(to);
    }
    expect(claimedWhileSending).toHaveLength(12);
    // Four lanes: at most four rows are claimed at any moment (a batch claim held all twelve).
    expect(Math.max(...claimedWhileSending)).toBeLessThanOrEqual(4);
    const rows = await t.orm.em.fork().find(OutboxMessage, { period });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(tos.map(() => ['sent', 1]));
  });

  it('stops claiming at `limit`, however many lanes are free', async () => {
    const period = '2026-09';
    for (let i = 0; i < 6; i++) await enqueue(`limited-${i}@unit.cn`, mail('已渲染'), period);
    expect(await worker.processDue({ period, limit: 5 })).toMatchObject({ claimed: 5, sent: 5 });
    expect(await t.orm.em.fork().count(OutboxMessage, { period, status: 'queued' })).toBe(1);
  });

  it('never claims again a row one of its own lanes is still sending, even once that lease has run out', async () => {
    const period = '2026-10';
    const slow = 'lease-out-mid-send@unit.cn';
    const quick = 'quick-neighbour@unit.cn';
    const a = await enqueue(slow, mail('已渲染'), period);
    await enqueue(quick, mail('已渲染'), period);
    onData.set(slow, async () => {
      // The send outlasts the lease: another lane that comes free meanwhile finds the row due.
      await t.orm.em
        .fork()
        .nativeUpdate(OutboxMessage, { id: a.id }, { lockedUntil: new Date(Date.now() - 1000) });
      await new Promise((r) => setTimeout(r, 700));
      return 'accept';
    });
    onData.set(quick, async () => {
      await new Promise((r) => setTimeout(r, 200));
      return 'accept';
    });
    try {
      expect(await worker.processDue({ period })).toMatchObject({ claimed: 2, sent: 2, lost: 0 });
    } finally {
      onData.delete(slow);
      onData.delete(quick);
    }
    expect(delivered(slow)).toHaveLength(1);
    expect(await row(slow)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
