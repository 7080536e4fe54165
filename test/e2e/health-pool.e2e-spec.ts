import type { AbstractSqlConnection, Knex } from '@mikro-orm/knex';
import { ADMIN, createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { auth } from '../fixtures/units';
import { pageLogin } from './web-fixtures';

/*
 * GET /health/live answers without any I/O (no database, no session lookup), and a request that cannot
 * get a database connection within DATABASE_POOL_TIMEOUT_MS is a 503 with Retry-After (API and pages),
 * never a 500.
 */

const knexOf = (t: TestApp): Knex => (t.orm.em.getConnection() as AbstractSqlConnection).getKnex();

/** Counts the SQL statements knex runs while `fn` does. */
async function queriesDuring(t: TestApp, fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const count = () => n++;
  const knex = knexOf(t);
  knex.on('query', count);
  try {
    await fn();
  } finally {
    knex.off('query', count);
  }
  return n;
}

describe('GET /health/live', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  it('answers 200 {"status":"ok"} without signing in', async () => {
    const res = await t.http.get('/health/live');
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { status: 'ok' } });
    expect(res.headers['content-type']).toMatch(/json/);
  });

  it('runs no SQL, not even a session lookup for a bearer token or a cookie', async () => {
    const agent = await pageLogin(t, ADMIN.email, ADMIN.password);
    // The control: the same token costs a session lookup on a route that identifies the caller.
    expect(await queriesDuring(t, () => t.http.get('/api/v1/auth/me').set(auth(token)))).toBeGreaterThan(0);
    expect(await queriesDuring(t, () => t.http.get('/health/live').set(auth(token)))).toBe(0);
    expect(await queriesDuring(t, () => agent.get('/health/live'))).toBe(0);
    expect(await queriesDuring(t, () => t.http.get('/health/live').set(auth('not-a-token')))).toBe(0);
  });

  it('keeps /health as the readiness check with the database ping', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body.info.database.status).toBe('up');
  });
});

// SQLite has a single connection inside the one process and DATABASE_POOL_SIZE / DATABASE_POOL_TIMEOUT_MS
// configure only the PostgreSQL pool, so there is no pool to exhaust there; the mapping of the timeout
// error itself is covered on every database by apps/tracker/src/common/error.filter.spec.ts.
const onPostgres = TEST_DB === 'postgresql' ? describe : describe.skip;

onPostgres('a database pool timeout is a 503 with Retry-After (PostgreSQL)', () => {
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

  /** Takes the pool's only connection and keeps it in an open transaction. */
  async function holdTheConnection() {
    trx = await knexOf(t).transaction();
    await trx.raw('select 1');
  }

  it('answers API requests 503 with Retry-After and a bilingual message while every connection is busy', async () => {
    const agent = await pageLogin(t, ADMIN.email, ADMIN.password);
    await holdTheConnection();
    const started = Date.now();
    const res = await t.http.get('/api/v1/units').set(auth(token));
    expect(Date.now() - started).toBeLessThan(5000);
    expect({ status: res.status, retryAfter: res.headers['retry-after'] }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    });
    expect(res.body).toEqual({
      statusCode: 503,
      error: 'ServiceBusy',
      message: expect.stringContaining('busy'),
      messageZh: expect.stringContaining('服务繁忙'),
    });

    // A page gets an error page with the same status and header, not the 500 page.
    const page = await agent.get('/overview').set('accept', 'text/html');
    expect({ status: page.status, retryAfter: page.headers['retry-after'] }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    });
    expect(page.text).toContain('服务繁忙');

    // Liveness needs no connection.
    expect((await t.http.get('/health/live')).status).toBe(200);

    await trx!.rollback();
    trx = undefined;
    expect((await t.http.get('/api/v1/units').set(auth(token))).status).toBe(200);
    expect((await agent.get('/overview')).status).toBe(200);
  });
});
