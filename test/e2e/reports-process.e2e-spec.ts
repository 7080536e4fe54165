import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { ModuleRef } from '@nestjs/core';
import { addMonths, todayIn } from '@app/compliance';
import { OutboxMessage } from '@app/db';
import { DemoSeedService } from '../../apps/tracker/src/demo/demo-seed.service';
import { buildService, type Build, runNode } from '../support/build';
import { createTestApp, type TestApp } from '../support/test-app';
import { pngSize, type SmtpAnswer, startSmtp, type TestSmtpServer } from '../support/smtp';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The compiled service as separate processes: killed mid-run, restarted, and started like `npm start`. */
describe('reports in real processes', () => {
  let build: Build;
  beforeAll(() => {
    build = buildService();
  }, 600_000);
  afterAll(() => build?.remove());

  describe('a run killed in the middle and started again', () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let env: Record<string, string>;
    /** How the SMTP server behaves now; see the tests. */
    let answer: (n: number) => SmtpAnswer | Promise<SmtpAnswer> = () => 'accept';
    let onAccepted: (n: number) => void = () => undefined;
    let accepted = 0;

    beforeAll(async () => {
      smtp = await startSmtp({ answer: (n) => answer(n), onAccepted: () => onAccepted(++accepted) });
      t = await createTestApp();
      await (await t.app.get(ModuleRef).create(DemoSeedService)).seed({ province: '44', units: 6 });
      env = {
        DATABASE_URL: t.databaseUrl,
        DATA_DIR: t.dataDir,
        SMTP_URL: smtp.url,
        MAIL_LEASE_SECONDS: '1',
        MAIL_RETRY_BASE_SECONDS: '0',
        LOG_LEVEL: 'error',
      };
    });
    afterAll(async () => {
      await t?.close();
      await smtp?.close();
    });

    const rowsOf = (period: string) =>
      t.orm.em.fork().find(OutboxMessage, { period }, { orderBy: { id: 'asc' } });
    const copiesOf = (m: OutboxMessage) => smtp.received.filter((r) => r.parsed.messageId === m.messageId);

    it('killed after 3 mails were sent and recorded: the restart sends the rest, each recipient exactly once', async () => {
      const period = todayIn().slice(0, 7);
      const K = 3;
      answer = async (n) => {
        if (n <= K) return 'accept';
        if (n === K + 1) {
          // The crash: the first K are delivered and recorded, this one and those in flight are not.
          await until(
            '3 recorded sends',
            async () => (await t.orm.em.fork().count(OutboxMessage, { period, status: 'sent' })) === K,
          );
          first.kill('SIGKILL');
        }
        return 'hang';
      };
      const first = runNode(build.cli, ['reports:run', '--period', period], env);
      expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
      const afterCrash = await rowsOf(period);
      expect(afterCrash.filter((r) => r.status === 'sent')).toHaveLength(K);
      expect(afterCrash.filter((r) => r.status !== 'sent').length).toBeGreaterThan(0);

      answer = () => 'accept';
      await sleep(1500); // the dead worker's leases (MAIL_LEASE_SECONDS=1) run out
      const second = runNode(build.cli, ['reports:run', '--period', period], env);
      const exit = await second.exited;
      expect({ exit, output: second.output() }).toMatchObject({ exit: { code: 0 } });
      expect(second.output()).toMatch(/queued by this run\s+0\n/);
      expect(second.output()).toMatch(new RegExp(`skipped, already sent\\s+${K}\\n`));

      const rows = await rowsOf(period);
      expect(rows.length).toBeGreaterThan(K);
      for (const row of rows) {
        const copies = copiesOf(row);
        expect({ key: row.idempotencyKey, status: row.status, copies: copies.length }).toEqual({
          key: row.idempotencyKey,
          status: 'sent',
          copies: 1,
        });
        expect(copies[0].to).toEqual([row.recipient]);
      }
      expect(smtp.received).toHaveLength(rows.length);
    });

    it('killed right after the server accepted a mail (the documented window): a repeat carries the same Message-ID', async () => {
      const period = addMonths(`${todayIn().slice(0, 7)}-01`, -1).slice(0, 7);
      const before = smtp.received.length;
      const base = accepted;
      answer = () => 'accept';
      onAccepted = (n) => {
        if (n === base + 2) second.kill('SIGKILL');
      };
      const second = runNode(build.cli, ['reports:run', '--period', period], env);
      expect(await second.exited).toMatchObject({ signal: 'SIGKILL' });
      onAccepted = () => undefined;

      await sleep(1500);
      const third = runNode(build.cli, ['reports:run', '--period', period], env);
      expect(await third.exited).toMatchObject({ code: 0 });

      const rows = await rowsOf(period);
      let repeated = 0;
      for (const row of rows) {
        const copies = copiesOf(row);
        expect(row.status).toBe('sent');
        expect(copies.length).toBeGreaterThanOrEqual(1);
        expect(copies.length).toBeLessThanOrEqual(2);
        for (const c of copies) expect(c.to).toEqual([row.recipient]);
        if (copies.length === 2) repeated++;
      }
      // At most the mails in flight when it died (4 lanes), each recognisable by its Message-ID.
      expect(repeated).toBeLessThanOrEqual(4);
      expect(smtp.received.length - before).toBe(rows.length + repeated);
    });
  });

  it('on the embedded default, the started service and the admin "run now" leave .eml files a mail client opens', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tracker-start-'));
    const port = await freePort();
    const env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      ADMIN_PASSWORD: 'start-password-1',
      LOG_LEVEL: 'warn',
    };
    try {
      const server = runNode(build.main, [], env);
      try {
        await until('the service to listen', () => server.output().includes('Listening on'), 60_000);
        // The first start created the administrator; units and contacts come from the demo seed.
        const seed = runNode(build.cli, ['demo:seed', '--province', '44', '--units', '3'], env);
        expect(await seed.exited).toMatchObject({ code: 0 });
        const base = `http://127.0.0.1:${port}`;
        const login = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'admin@example.gov.cn', password: 'start-password-1' }),
        });
        expect(login.status).toBe(200);
        const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
        const period = todayIn().slice(0, 7);
        const run = await fetch(`${base}/api/v1/reports/runs`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ period }),
        });
        expect(run.status).toBe(201);
        const { queued } = (await run.json()) as { queued: number };
        expect(queued).toBeGreaterThan(3);

        const mailDir = join(dataDir, 'mail');
        const files = await until('the .eml files', () => {
          try {
            const f = readdirSync(mailDir).filter((x) => x.endsWith('.eml'));
            return f.length >= queued ? f : null;
          } catch {
            return null;
          }
        });
        expect(files!).toHaveLength(queued);
        let digests = 0;
        for (const f of files!) {
          const mail = await simpleParser(readFileSync(join(mailDir, f)), { skipImageLinks: true });
          expect(mail.subject).toMatch(/^【示范项目月报】/);
          expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@localhost>$/);
          expect(mail.text?.length).toBeGreaterThan(100);
          const html = mail.html as string;
          const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
          expect(cids).toHaveLength(2);
          for (const cid of cids) {
            const img = mail.attachments.find((a) => a.contentId === `<${cid}>`);
            expect(pngSize(img!.content)).toEqual({ width: 632, height: 316 });
          }
          if (mail.attachments.some((a) => a.filename?.endsWith('.xlsx'))) digests++;
        }
        expect(digests).toBe(1);

        const sent = await until('the outbox to show them sent', async () => {
          const res = await fetch(`${base}/api/v1/outbox?status=sent&period=${period}`, { headers: auth });
          const body = (await res.json()) as { total: number; items: { transportResponse: string }[] };
          return body.total === queued ? body : null;
        });
        expect(sent.items.every((i) => i.transportResponse.startsWith(`file:${mailDir}`))).toBe(true);
      } finally {
        server.kill('SIGTERM');
        await server.exited;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
