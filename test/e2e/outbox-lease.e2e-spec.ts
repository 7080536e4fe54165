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

  const key = (to: string) => `${KIND}:2026-05:${to}`;
  const row = (to: string) => t.orm.em.fork().findOneOrFail(OutboxMessage, { idempotencyKey: key(to) });
  const delivered = (to: string) => smtp.received.filter((m) => m.to.includes(to));
  /** Queues a mail the worker renders itself (like the monthly reports). */
  async function enqueue(to: string, rendered?: RenderedMail) {
    await t.app
      .get(OutboxService)
      .enqueue(
        [{ idempotencyKey: key(to), kind: KIND, period: '2026-05', recipient: to, rendered }],
        t.orm.em.fork(),
      );
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
});
