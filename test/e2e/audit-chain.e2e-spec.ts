import { createHash } from 'node:crypto';
import { AUDIT_GENESIS, AuditLog, AuditVerification } from '@app/db';
import { OutboxService, OutboxWorker } from '@app/mail';
import { AuditService } from '../../apps/tracker/src/audit/audit.service';
import { AuditVerifyService } from '../../apps/tracker/src/audit/audit-verify.service';
import { AuditVerifyScheduler } from '../../apps/tracker/src/audit/audit-verify.scheduler';
import { buildService, type Build, runNode } from '../support/build';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { startSmtp, type TestSmtpServer } from '../support/smtp';
import { pageLogin } from './web-fixtures';
import { auth, creditCode, scopeWorld, unitPayload } from '../fixtures/units';

jest.setTimeout(180_000);

type Raw = Record<string, unknown>;

/** The audit log's hash chain: written centrally by every writer, checked by audit:verify. */
describe('audit log hash chain', () => {
  let t: TestApp;
  let build: Build;
  let env: Record<string, string>;
  let w: Awaited<ReturnType<typeof scopeWorld>>;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    build = buildService();
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url });
    w = await scopeWorld(t);
    env = { DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, LOG_LEVEL: 'error' };
  }, 600_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    build?.remove();
  });

  const sql = <T = Raw[]>(q: string, params: unknown[] = []) =>
    t.orm.em.fork().getConnection().execute(q, params) as Promise<T>;
  const verify = () => t.app.get(AuditVerifyService).verify('cli');
  const total = async () =>
    Number((await sql<{ n: string }[]>(`select count(*) as "n" from "audit_log"`))[0].n);
  const lastId = async () =>
    (await sql<{ id: number }[]>(`select "id" from "audit_log" order by "id" desc limit 1`))[0].id;

  /** The last check as the audit page shows it, in both languages. */
  async function page() {
    const admin = await pageLogin(t, ADMIN.email, ADMIN.password);
    const zh = await admin.get('/admin/audit');
    const en = await admin.get('/admin/audit?lang=en');
    expect([zh.status, en.status]).toEqual([200, 200]);
    const text = (html: string) =>
      /data-testid="audit-verification">([\s\S]*?)<\/p>/.exec(html)?.[1].replace(/<[^>]+>/g, '') ?? '';
    return { zh: text(zh.text), en: text(en.text) };
  }

  async function cli() {
    const child = runNode(build.cli, ['audit:verify'], env);
    const { code } = await child.exited;
    return { code, out: child.output() };
  }

  it('verifies on a fresh database, as a real process too, and records each check', async () => {
    const n = await total();
    expect(n).toBeGreaterThan(3);
    const v = await verify();
    expect(v).toMatchObject({ ok: true, checked: n, firstBrokenId: null, problem: null, source: 'cli' });
    expect(v.lastId).toBe(await lastId());

    const run = await cli();
    expect(run.out).toContain(`Audit chain intact: ${n} entries checked.`);
    expect(run.out).toContain(`审计链完好：已校验 ${n} 条记录。`);
    expect(run.code).toBe(0);
    const recorded = await t.orm.em.fork().find(AuditVerification, {}, { orderBy: { id: 'asc' } });
    expect(recorded.map((r) => [r.ok, r.checked])).toEqual([
      [true, n],
      [true, n],
    ]);
    const shown = await page();
    expect(shown.zh).toContain(`完好，共 ${n} 条记录`);
    expect(shown.en).toContain(`intact, ${n} entries`);
  });

  it('the daily job checks too, unless a check was recorded within the hour', async () => {
    const job = t.app.get(AuditVerifyScheduler);
    expect(await job.tick(new Date())).toBeNull();
    expect(await job.tick(new Date(Date.now() + 2 * 3_600_000))).toMatchObject({ ok: true, source: 'cron' });
  });

  it('hashes the documented canonical form: sorted keys, ISO date, previous hash', async () => {
    const [first, second] = await t.orm.em.fork().find(AuditLog, {}, { orderBy: { id: 'asc' }, limit: 2 });
    expect(first.prevHash).toBe(AUDIT_GENESIS);
    expect(second.prevHash).toBe(first.hash);
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortKeys)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortKeys((v as Raw)[k])]),
            )
          : v;
    const text = JSON.stringify({
      action: second.action,
      actorEmail: second.actorEmail ?? null,
      actorId: second.actorId ?? null,
      at: second.at.toISOString(),
      changes: sortKeys(second.changes ?? null),
      entity: second.entity,
      entityId: second.entityId ?? null,
      prevHash: second.prevHash,
    });
    expect(second.hash).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('keeps one chain, no fork, under many concurrent writers in two instances', async () => {
    const b = await createTestApp({ DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir, SMTP_URL: smtp.url });
    try {
      // Mails queued now are sent (and audited as mail_sent) by both instances' workers meanwhile.
      const em0 = t.orm.em.fork();
      await t.app.get(OutboxService).enqueue(
        Array.from({ length: 12 }, (_, i) => ({
          idempotencyKey: `chain:${i}`,
          kind: 'test',
          period: '2026-05',
          recipient: `m${i}@example.cn`,
          rendered: { subject: `链 ${i}`, html: `<p>${i}</p>`, text: `${i}`, attachments: [] },
        })),
        em0,
      );
      const before = await total();
      const drain = async (x: TestApp) => {
        while ((await x.app.get(OutboxWorker).processDue()).claimed > 0);
      };
      const apps = [t, b];
      // Each request writes its audit row in its own transaction; 2 × 30 at once.
      const [, , ...results] = await Promise.all([
        drain(t),
        drain(b),
        ...Array.from({ length: 60 }, (_, i) =>
          apps[i % 2].http
            .post('/api/v1/units')
            .set(auth(w.admin))
            .send(unitPayload({ name: `并发审计单位${i}`, creditCode: creditCode(930000 + i) })),
        ),
      ]);
      expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
      // Several entries in one flush are chained one after the other too.
      const em = b.orm.em.fork();
      const audit = new AuditService(em);
      for (let i = 0; i < 3; i++)
        audit.record(null, 'seed', 'unit', i, { i, nested: { b: 2, a: [1, { z: 1, y: 2 }] } });
      await em.flush();
      expect(await t.orm.em.fork().count(AuditLog, { action: 'mail_sent' })).toBe(12);
      expect(await total()).toBe(before + 75);

      const v = await verify();
      expect(v).toMatchObject({ ok: true, checked: before + 75 });
      const [{ rows, links }] = await sql<{ rows: string; links: string }[]>(
        `select count(*) as "rows", count(distinct "prev_hash") as "links" from "audit_log"`,
      );
      expect(Number(links)).toBe(Number(rows));
      // Every entry's prev_hash is the hash of the entry just before it in id order.
      const all = await sql<{ prev_hash: string; hash: string }[]>(
        `select "prev_hash", "hash" from "audit_log" order by "id"`,
      );
      all.forEach((r, i) => expect(r.prev_hash).toBe(i ? all[i - 1].hash : AUDIT_GENESIS));
    } finally {
      await b.close().catch(() => undefined);
    }
  });

  it('chains the entries of an upgraded installation (no hashes yet) at start-up, in id order', async () => {
    const hashes = await sql<{ hash: string }[]>(`select "hash" from "audit_log" order by "id"`);
    await sql(`update "audit_log" set "prev_hash" = null, "hash" = null`);
    const unchained = await verify();
    expect(unchained).toMatchObject({ ok: false, problem: 'unchained' });
    // Starting an instance (migrations, then chaining) fills them in.
    const b = await createTestApp({ DATABASE_URL: t.databaseUrl, DATA_DIR: t.dataDir });
    await b.app.close();
    expect(await sql<{ hash: string }[]>(`select "hash" from "audit_log" order by "id"`)).toEqual(hashes);
    expect((await verify()).ok).toBe(true);
  });

  it('fails naming the entry whose action or changes were altered in the database', async () => {
    const [target] = await sql<{ id: number; action: string }[]>(
      `select "id", "action" from "audit_log" where "changes" is not null order by "id" limit 1 offset 5`,
    );
    await sql(`update "audit_log" set "action" = 'delete' where "id" = ?`, [target.id]);
    const v = await verify();
    expect(v).toMatchObject({ ok: false, firstBrokenId: target.id, problem: 'changed' });
    const run = await cli();
    expect(run.out).toContain(`Audit chain broken at entry ${target.id} (its content or hash was changed)`);
    expect(run.code).toBe(1);
    await sql(`update "audit_log" set "action" = ? where "id" = ?`, [target.action, target.id]);
    expect((await verify()).ok).toBe(true);

    const [raw] = await sql(`select "changes" from "audit_log" where "id" = ?`, [target.id]);
    const changes = `{"forged":true}`;
    await sql(`update "audit_log" set "changes" = ? where "id" = ?`, [changes, target.id]);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenId: target.id, problem: 'changed' });
    const original = typeof raw.changes === 'string' ? raw.changes : JSON.stringify(raw.changes);
    await sql(`update "audit_log" set "changes" = ? where "id" = ?`, [original, target.id]);
    expect((await verify()).ok).toBe(true);
  });

  it('fails when an entry is deleted: the newest (missing) or one in the middle (the next one is named)', async () => {
    const newest = await lastId();
    const [row] = await sql(`select * from "audit_log" where "id" = ?`, [newest]);
    await sql(`delete from "audit_log" where "id" = ?`, [newest]);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenId: newest, problem: 'missing' });
    const cols = Object.keys(row);
    const values = cols.map((c) =>
      row[c] !== null && typeof row[c] === 'object' && !(row[c] instanceof Date)
        ? JSON.stringify(row[c])
        : row[c],
    );
    await sql(
      `insert into "audit_log" (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map(() => '?').join(', ')})`,
      values,
    );
    expect((await verify()).ok).toBe(true);

    const ids = (await sql<{ id: number }[]>(`select "id" from "audit_log" order by "id" limit 12`)).map(
      (r) => r.id,
    );
    await sql(`delete from "audit_log" where "id" = ?`, [ids[10]]);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenId: ids[11], problem: 'link', checked: 10 });
    const run = await cli();
    expect(run.out).toContain(
      `Audit chain broken at entry ${ids[11]} (an entry before it was removed or inserted)`,
    );
    expect(run.code).toBe(1);
    const latest = await t.app.get(AuditVerifyService).latest();
    expect(latest).toMatchObject({ ok: false, firstBrokenId: ids[11] });
    const shown = await page();
    expect(shown.zh).toContain(`在第 ${ids[11]} 条记录处断开`);
    expect(shown.zh).toContain('它之前的记录被删除或插入');
    expect(shown.en).toContain(`broken at entry ${ids[11]}`);
  });
});
