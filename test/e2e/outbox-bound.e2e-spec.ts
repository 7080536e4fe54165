import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { OutboxMessage } from '@app/db';
import { OutboxRenderers, OutboxService, OutboxWorker, type RenderedMail } from '@app/mail';
import { createTestApp, type TestApp } from '../support/test-app';

interface SeenQuery {
  sql: string;
  bindings?: unknown[];
}

/** A mail of about 70 KB whose every part carries the marker, with quotes and backslashes in it. */
function bigMail(marker: string): RenderedMail {
  const row = `<tr><td>${marker} O'Brien \\ "引号" 示范单位</td></tr>`;
  return {
    subject: `月报 ${marker} O'Brien`,
    html: `<table>${row.repeat(Math.ceil(70_000 / row.length))}</table>`,
    text: `${marker} O'Brien\n`.repeat(2000),
    attachments: [
      { filename: `${marker}.txt`, contentType: 'text/plain', content: Buffer.from(`${marker} O'Brien`) },
    ],
  };
}

describe('outbox: rendered mails are stored with bound parameters, never as SQL literals', () => {
  let t: TestApp;
  let seen: SeenQuery[];
  const onQuery = (q: SeenQuery) => seen.push({ sql: q.sql, bindings: q.bindings });

  beforeAll(async () => {
    t = await createTestApp();
    (t.orm.em.getConnection() as AbstractSqlConnection).getKnex().on('query', onQuery);
  });
  afterAll(async () => {
    (t.orm.em.getConnection() as AbstractSqlConnection).getKnex().off('query', onQuery);
    await t.close();
  });
  beforeEach(() => (seen = []));

  /** Statements whose text contains the marker, and whether some statement had it among its bindings. */
  const traces = (marker: string) => ({
    inSql: seen.filter((q) => q.sql.includes(marker)).map((q) => q.sql.slice(0, 120)),
    bound: seen.some((q) => (q.bindings ?? []).some((b) => typeof b === 'string' && b.includes(marker))),
  });

  it('the worker keeps what it rendered through bound parameters and sends exactly that', async () => {
    const marker = 'MARK-worker-7f3a';
    t.app.get(OutboxRenderers).register('bound_test', async () => bigMail(marker));
    const key = 'bound_test:2026-05:a@example.com';
    await t.app
      .get(OutboxService)
      .enqueue(
        [{ idempotencyKey: key, kind: 'bound_test', period: '2026-05', recipient: 'a@example.com' }],
        t.orm.em.fork(),
      );
    seen = [];
    expect(await t.app.get(OutboxWorker).processDue({ period: '2026-05' })).toMatchObject({ sent: 1 });
    expect(traces(marker)).toEqual({ inSql: [], bound: true });

    const row = await t.orm.em.fork().findOneOrFail(OutboxMessage, { idempotencyKey: key });
    const want = bigMail(marker);
    expect(row).toMatchObject({ status: 'sent', subject: want.subject, html: want.html, text: want.text });
    expect(row.attachments).toEqual([
      { filename: `${marker}.txt`, contentType: 'text/plain', size: want.attachments[0].content.length },
    ]);
    const file = readdirSync(join(t.dataDir, 'mail')).find((f) => f.startsWith('bound_test'));
    const sent = await simpleParser(readFileSync(join(t.dataDir, 'mail', file!)));
    expect({ subject: sent.subject, html: sent.html, text: sent.text }).toEqual({
      subject: want.subject,
      html: want.html,
      text: want.text,
    });
  });

  it('a mail enqueued already rendered is inserted with bound parameters too', async () => {
    const marker = 'MARK-enqueue-91bc';
    const service = t.app.get(OutboxService);
    const spec = {
      idempotencyKey: 'bound_test:2026-05:b@example.com',
      kind: 'bound_test',
      period: '2026-05',
      recipient: 'b@example.com',
      rendered: bigMail(marker),
    };
    expect(await service.enqueue([spec], t.orm.em.fork())).toMatchObject({ created: 1 });
    expect(traces(marker)).toEqual({ inSql: [], bound: true });
    const row = await t.orm.em.fork().findOneOrFail(OutboxMessage, { idempotencyKey: spec.idempotencyKey });
    expect(row).toMatchObject({ status: 'queued', html: spec.rendered.html, subject: spec.rendered.subject });
    expect(Buffer.from(row.attachments![0].content!, 'base64').toString()).toBe(`${marker} O'Brien`);
    // Again: the key exists, nothing is created.
    expect(await service.enqueue([spec], t.orm.em.fork())).toMatchObject({
      created: 0,
      existing: { queued: 1 },
    });
  });
});
