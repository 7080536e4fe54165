import { ADMIN, createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { auth } from '../fixtures/units';
import { csrfOf } from './web-fixtures';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { OutboxMessage } from '@app/db';

/*
 * Operations: JSON log lines with the request id on every line of a request and one access line per
 * request, no secrets in them; Prometheus metrics at /metrics labelled by route pattern, with an
 * optional bearer token.
 */

/** Captures the app's log lines (pino writes one JSON object per line). */
function logCapture() {
  const chunks: string[] = [];
  return {
    logTo: { write: (s: string) => void chunks.push(s) },
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('structured logs', () => {
  let t: TestApp;
  const log = logCapture();
  beforeAll(async () => {
    // The most verbose level: whatever is logged at all must hold no secret.
    t = await createTestApp({ LOG_LEVEL: 'verbose' }, { logTo: log.logTo });
  });
  afterAll(() => t.close());

  it('takes a sane X-Request-Id, echoes it, and writes one access line with method, route, status and duration', async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    const res = await t.http.get('/api/v1/units/987654').set(auth(token)).set('X-Request-Id', 'probe-42.a:b');
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toBe('probe-42.a:b');
    const mine = log.lines().filter((l) => l.reqId === 'probe-42.a:b');
    const access = mine.filter((l) => l.msg === 'request completed');
    expect(access).toEqual([
      expect.objectContaining({
        level: 30,
        method: 'GET',
        route: '/api/v1/units/:id',
        path: '/api/v1/units/987654',
        status: 404,
        durationMs: expect.any(Number),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
  });

  it('replaces an unusable request id with a generated one, the same in the header and the lines', async () => {
    for (const sent of ['has spaces in it', 'x'.repeat(200), '<script>']) {
      const res = await t.http.get('/health/live').set('X-Request-Id', sent);
      const id = res.headers['x-request-id'];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(log.lines().filter((l) => l.reqId === id)).toEqual([
        expect.objectContaining({ route: '/health/live', status: 200 }),
      ]);
    }
    const a = await t.http.get('/health/live');
    const b = await t.http.get('/health/live');
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it("gives Nest's own log lines written while handling a request that request's id", async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    const res = await t.http.post('/api/v1/reports/runs').set(auth(token)).send({ period: '2026-05' });
    expect(res.status).toBe(201);
    const id = res.headers['x-request-id'];
    const lines = log.lines().filter((l) => l.reqId === id);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          context: 'Reports',
          msg: expect.stringMatching(/^Report run \d+ \(manual\)/),
        }),
        expect.objectContaining({ msg: 'request completed', route: '/api/v1/reports/runs', status: 201 }),
      ]),
    );
    // Lines outside requests (start-up) carry no request id.
    expect(log.lines().find((l) => l.context === 'Bootstrap')).toEqual(
      expect.not.objectContaining({ reqId: expect.anything() }),
    );
  });

  it('never logs a password, session token, cookie or CSRF token, by bearer or by cookie and form', async () => {
    const before = log.text().length;
    const password = ADMIN.password;
    expect(
      (await t.http.post('/api/v1/auth/login').send({ email: ADMIN.email, password: 'wrong-pw-xyz' })).status,
    ).toBe(401);
    const login = await t.http.post('/api/v1/auth/login').send({ email: ADMIN.email, password });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const form = await t.http.get('/overview').set('Cookie', cookie);
    const csrf = csrfOf(form.text);
    expect(csrf).toBeTruthy();
    // A state-changing request by cookie with the CSRF header, one by bearer token, and a page form post.
    const statuses = [
      await t.http
        .patch('/api/v1/auth/me')
        .set('Cookie', cookie)
        .set('x-csrf-token', csrf)
        .send({ locale: 'en' }),
      await t.http.get('/api/v1/auth/me').set(auth(token)),
      await t.http.post('/logout').set('Cookie', cookie).type('form').send({ _csrf: csrf }),
    ].map((r) => r.status);
    expect(statuses).toEqual([200, 200, 303]);

    const written = log.text().slice(before);
    expect(written).toContain('/api/v1/auth/login');
    for (const secret of [password, 'wrong-pw-xyz', token, cookie.split('=')[1], csrf]) {
      expect(written).not.toContain(secret);
    }
  });
});

/** The value of one sample of the exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const inner = line.slice(name.length).match(/^\{([^}]*)\}/)?.[1] ?? '';
    const have = inner ? inner.split(',') : [];
    if (want.every((w) => have.includes(w))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('GET /metrics', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  it('counts requests by method, route pattern and status, never by raw URL', async () => {
    const labels = { method: 'GET', route: '/api/v1/units/:id', status: '404' };
    const before = sample(await scrape(), 'http_requests_total', labels) ?? 0;
    await t.http.get('/api/v1/units/424242').set(auth(token));
    await t.http.get('/api/v1/units/434343').set(auth(token));
    await t.http.get('/no/such/page/515151');
    await t.http.get('/assets/app.css?v=515151');
    const text = await scrape();
    expect(sample(text, 'http_requests_total', labels)).toBe(before + 2);
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(before + 2);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(before + 2);
    expect(
      sample(text, 'http_requests_total', { route: '(unmatched)', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_requests_total', { route: '/api/v1/auth/login', status: '200' })).toBe(1);
    expect(sample(text, 'http_requests_total', { route: '/assets/*path', status: '200' })).toBe(1);
    for (const id of ['424242', '434343', '515151']) expect(text).not.toContain(id);
  });

  it('looks up no session: its one query is the outbox count', async () => {
    const sql: string[] = [];
    const record = (q: { sql: string }) => sql.push(q.sql);
    const knex = (t.orm.em.getConnection() as AbstractSqlConnection).getKnex();
    knex.on('query', record);
    try {
      expect((await t.http.get('/metrics').set(auth(token))).status).toBe(200);
    } finally {
      knex.off('query', record);
    }
    expect(sql).toEqual([expect.stringMatching(/^select status, count\(\*\) as n from outbox_messages/)]);
  });

  it('reports outbox rows by status, read from the table when scraped', async () => {
    const em = t.orm.em.fork();
    for (const [i, status] of (['queued', 'queued', 'failed'] as const).entries()) {
      em.create(OutboxMessage, {
        idempotencyKey: `metrics-${i}`,
        kind: 'unit_report',
        period: '2026-05',
        recipient: `m${i}@example.cn`,
        messageId: `<metrics-${i}@example.cn>`,
        status,
      });
    }
    await em.flush();
    const text = await scrape();
    expect(sample(text, 'outbox_messages', { status: 'queued' })).toBe(2);
    expect(sample(text, 'outbox_messages', { status: 'failed' })).toBe(1);
    expect(sample(text, 'outbox_messages', { status: 'sent' })).toBe(0);
  });

  it('times report runs by trigger and outcome', async () => {
    expect(
      (await t.http.post('/api/v1/reports/runs').set(auth(token)).send({ period: '2026-04' })).status,
    ).toBe(201);
    const text = await scrape();
    expect(sample(text, 'report_run_duration_seconds_count', { trigger: 'manual', outcome: 'done' })).toBe(1);
    expect(
      sample(text, 'report_run_duration_seconds_sum', { trigger: 'manual', outcome: 'done' }),
    ).toBeGreaterThan(0);
  });

  it('shows the request pool on PostgreSQL, and process metrics', async () => {
    const text = await scrape();
    if (TEST_DB === 'postgresql') {
      expect(sample(text, 'db_pool_connections', { state: 'used' })).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'db_pool_connections', { state: 'free' })).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'db_pool_connections', { state: 'pending' })).toBe(0);
    } else {
      expect(text).not.toContain('db_pool_connections');
    }
    expect(sample(text, 'process_resident_memory_bytes', {})).toBeGreaterThan(0);
  });

  it('each application instance keeps its own registry', async () => {
    const other = await createTestApp();
    try {
      const text = (await other.http.get('/metrics')).text;
      expect(sample(text, 'http_requests_total', { route: '/api/v1/units/:id' })).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const METRICS_TOKEN = 'metrics-token-0123456789';
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp({ METRICS_TOKEN })));
  afterAll(() => t.close());

  it('requires the bearer token: 401 without it or with another, 200 with it', async () => {
    const session = await t.login(ADMIN.email, ADMIN.password);
    for (const header of [
      undefined,
      'Bearer wrong-token-0123456789',
      `Bearer ${session}`,
      METRICS_TOKEN,
      'Bearer ',
    ]) {
      const req = t.http.get('/metrics');
      const res = await (header ? req.set('Authorization', header) : req);
      expect({ header, status: res.status }).toEqual({ header, status: 401 });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.text).not.toContain('http_requests_total');
    }
    const ok = await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('# TYPE http_requests_total counter');
  });
});
