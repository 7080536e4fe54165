import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbstractSqlConnection, Knex } from '@mikro-orm/knex';
import { ADMIN, createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { auth } from '../fixtures/units';

/*
 * GET /health/ready (and /health, its alias): the database reachable over the probe's own connection,
 * no pending migration, the mail transport configured. 200 when all are up; 503 naming each failed
 * check. A busy request pool is not a failure.
 */

const knexOf = (t: TestApp): Knex => (t.orm.em.getConnection() as AbstractSqlConnection).getKnex();

describe('GET /health/ready', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('answers 200 with every check up, without signing in; /health is the same', async () => {
    for (const path of ['/health/ready', '/health']) {
      const res = await t.http.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.body).toEqual({
        status: 'ok',
        info: {
          database: { status: 'up' },
          migrations: { status: 'up', applied: expect.any(Number) },
          mail: { status: 'up', transport: 'file' },
        },
        error: {},
        details: expect.any(Object),
      });
      expect(res.body.info.migrations.applied).toBeGreaterThan(0);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it("looks up no session and uses none of the service's own connections", async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    const sql: string[] = [];
    const record = (q: { sql: string }) => sql.push(q.sql);
    knexOf(t).on('query', record);
    try {
      expect((await t.http.get('/health/ready').set(auth(token))).status).toBe(200);
      expect((await t.http.get('/health').set('Cookie', `sid=${token}`)).status).toBe(200);
    } finally {
      knexOf(t).off('query', record);
    }
    expect(sql).toEqual([]);
  });

  it('answers 503 naming a pending migration (its row removed from the migrations table)', async () => {
    const knex = knexOf(t);
    const [last] = (await knex('mikro_orm_migrations').orderBy('id', 'desc').limit(1)) as Record<
      string,
      unknown
    >[];
    await knex('mikro_orm_migrations').where({ id: last.id }).delete();
    try {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('error');
      expect(res.body.info.database).toEqual({ status: 'up' });
      expect(res.body.error).toEqual({
        migrations: {
          status: 'down',
          message: `1 pending: ${String(last.name)}`,
          pending: [String(last.name)],
        },
      });
    } finally {
      await knex('mikro_orm_migrations').insert(last);
    }
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });

  it('answers 503 naming the mail check when the mail folder cannot be made', async () => {
    // A file where DATA_DIR/mail should be: no folder can be made there (whoever the tests run as).
    const mailDir = join(t.dataDir, 'mail');
    rmSync(mailDir, { recursive: true, force: true });
    writeFileSync(mailDir, 'not a folder');
    try {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.error).toEqual({
        mail: {
          status: 'down',
          transport: 'file',
          message: expect.stringMatching(/^DATA_DIR\/mail is not writable \(E[A-Z]+\)$/),
        },
      });
    } finally {
      rmSync(mailDir, { force: true });
    }
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });

  it('reports an SMTP transport as configured without connecting to it', async () => {
    const smtp = await createTestApp({ SMTP_URL: 'smtp://127.0.0.1:9' });
    try {
      const res = await smtp.http.get('/health/ready');
      expect({ status: res.status, mail: res.body.info?.mail }).toEqual({
        status: 200,
        mail: { status: 'up', transport: 'smtp' },
      });
    } finally {
      await smtp.close();
    }
  });
});

const onSqlite = TEST_DB === 'sqlite' ? describe : describe.skip;
const onPostgres = TEST_DB === 'postgresql' ? describe : describe.skip;

onSqlite('GET /health/ready when the database file is gone (SQLite)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it('answers 503 naming the database (the service’s open handle would still read the removed file)', async () => {
    const file = t.databaseUrl.slice('sqlite:'.length);
    renameSync(file, `${file}.away`);
    try {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.error.database).toEqual({
        status: 'down',
        message: expect.stringMatching(/^database unreachable/),
      });
      expect(res.body.error.migrations).toEqual({
        status: 'down',
        message: 'not checked: database unreachable',
      });
      expect(res.body.info.mail).toEqual({ status: 'up', transport: 'file' });
    } finally {
      renameSync(`${file}.away`, file);
    }
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});

onPostgres('GET /health/ready does not share the request pool (PostgreSQL)', () => {
  let t: TestApp;
  let token: string;
  let trx: Knex.Transaction | undefined;
  beforeAll(async () => {
    t = await createTestApp({ DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '300' });
    token = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await trx?.rollback().catch(() => undefined);
    await t.close();
  });

  it('answers 200 while every request connection is taken and an API request gets 503', async () => {
    expect((await t.http.get('/health/ready')).status).toBe(200);
    trx = await knexOf(t).transaction();
    await trx.raw('select 1');
    try {
      expect((await t.http.get('/api/v1/units').set(auth(token))).status).toBe(503);
      for (let i = 0; i < 5; i++) {
        const res = await t.http.get('/health/ready');
        expect({ status: res.status, body: res.body.status }).toEqual({ status: 200, body: 'ok' });
      }
      expect((await t.http.get('/health')).status).toBe(200);
    } finally {
      await trx.rollback();
      trx = undefined;
    }
    expect((await t.http.get('/api/v1/units').set(auth(token))).status).toBe(200);
  });

  it('answers 503 naming the database while it refuses connections, and 200 again after', async () => {
    const name = new URL(t.databaseUrl).pathname.slice(1);
    // Another session, on the maintenance database, shuts this database's door and drops its sessions.
    const { knex } = await import('@mikro-orm/knex');
    const maint = knex({
      client: 'pg',
      connection: t.databaseUrl.replace(/\/[^/]+$/, '/postgres'),
      pool: { min: 0, max: 1 },
    });
    try {
      await maint.raw(`alter database "${name}" allow_connections false`);
      await maint.raw(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
        [name],
      );
      const started = Date.now();
      const res = await t.http.get('/health/ready');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.status).toBe(503);
      expect(res.body.error.database).toEqual({
        status: 'down',
        message: expect.stringMatching(/^database unreachable: /),
      });
      expect(res.body.error.migrations.status).toBe('down');
      expect((await t.http.get('/health/live')).status).toBe(200);
    } finally {
      await maint.raw(`alter database "${name}" allow_connections true`);
      await maint.destroy();
    }
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});
