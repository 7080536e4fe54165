import request from 'supertest';
import { todayIn } from '@app/compliance';
import { AuditLog, LoginFailure } from '@app/db';
import { SessionsService } from '@app/auth';
import {
  ACCOUNT_FAILURE_LIMIT,
  ADDRESS_FAILURE_LIMIT,
  LOGIN_WINDOW_MS,
} from '../../apps/tracker/src/auth/login-throttle.service';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { csrfOf } from './web-fixtures';

const PASSWORD = 'throttle-test-password-1';
const WRONG = 'not-the-password-1';

async function createUsers(t: TestApp, emails: string[]) {
  const token = await t.login(ADMIN.email, ADMIN.password);
  for (const email of emails) {
    const res = await t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({ email, name: email.split('@')[0], password: PASSWORD, role: 'supervisor', provinces: ['44'] });
    if (res.status !== 201) throw new Error(`user ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

function attempt(t: TestApp, email: string, password: string, forwardedFor?: string) {
  const req = t.http.post('/api/v1/auth/login');
  if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
  return req.send({ email, password });
}

async function fail(t: TestApp, email: string, times: number) {
  for (let i = 0; i < times; i++) expect((await attempt(t, email, WRONG)).status).toBe(401);
}

const randomAddress = () =>
  `198.51.100.${Math.floor(Math.random() * 250) + 1}, 203.0.113.${Math.floor(Math.random() * 250) + 1}`;

describe('sign-in throttle: per account and per address, in the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { today: todayIn() });
    await createUsers(t, ['typo@office.cn', 'colleague@office.cn', 'again@office.cn']);
  });
  beforeEach(async () => {
    await t.orm.em.fork().nativeDelete(LoginFailure, {});
    t.clock!.offsetMs = 0;
  });
  afterAll(() => t?.close());

  it('the 11th attempt on an account is 429 with Retry-After, unchecked; colleagues at the same address still sign in; after the window the right password works', async () => {
    await fail(t, 'typo@office.cn', ACCOUNT_FAILURE_LIMIT);
    const login = jest.spyOn(t.app.get(SessionsService), 'login');
    try {
      const throttled = await attempt(t, 'Typo@Office.CN', PASSWORD);
      expect(throttled.status).toBe(429);
      const wait = Number(throttled.headers['retry-after']);
      expect(wait).toBeGreaterThan(LOGIN_WINDOW_MS / 1000 - 60);
      expect(wait).toBeLessThanOrEqual(LOGIN_WINDOW_MS / 1000);
      expect(throttled.body.message).toBe('Too many failed sign-ins; please try again in 15 minutes');
      expect(throttled.body.messageZh).toBe('登录失败次数过多，请 15 分钟后再试');
      expect(login).not.toHaveBeenCalled();
    } finally {
      login.mockRestore();
    }

    expect((await attempt(t, 'colleague@office.cn', PASSWORD)).status).toBe(200);
    expect((await attempt(t, 'colleague@office.cn', WRONG)).status).toBe(401);

    t.clock!.offsetMs = LOGIN_WINDOW_MS - 60_000;
    expect((await attempt(t, 'typo@office.cn', PASSWORD)).status).toBe(429);
    t.clock!.offsetMs = LOGIN_WINDOW_MS + 1000;
    expect((await attempt(t, 'typo@office.cn', PASSWORD)).status).toBe(200);
  });

  it('throttled attempts are not counted, so waiting out the window is enough even while retrying', async () => {
    await fail(t, 'typo@office.cn', ACCOUNT_FAILURE_LIMIT);
    for (const minutes of [5, 10, 14]) {
      t.clock!.offsetMs = minutes * 60_000;
      const res = await attempt(t, 'typo@office.cn', WRONG);
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual((15 - minutes) * 60);
    }
    t.clock!.offsetMs = LOGIN_WINDOW_MS + 1000;
    expect((await attempt(t, 'typo@office.cn', PASSWORD)).status).toBe(200);
  });

  it('a successful sign-in is no failure and clears the account’s earlier failures', async () => {
    await fail(t, 'again@office.cn', ACCOUNT_FAILURE_LIMIT - 1);
    expect((await attempt(t, 'again@office.cn', PASSWORD)).status).toBe(200);
    expect(await t.orm.em.fork().count(LoginFailure, { email: 'again@office.cn' })).toBe(0);
    await fail(t, 'again@office.cn', ACCOUNT_FAILURE_LIMIT);
    expect((await attempt(t, 'again@office.cn', PASSWORD)).status).toBe(429);
  });

  it('accounts that do not exist are throttled the same way', async () => {
    await fail(t, 'nobody@office.cn', ACCOUNT_FAILURE_LIMIT);
    expect((await attempt(t, 'nobody@office.cn', WRONG)).status).toBe(429);
  });

  it('TRUST_PROXY off: a rotating X-Forwarded-For does not escape the per-address limit', async () => {
    // Spread over accounts so the per-account limit is never reached first.
    const emails = Array.from({ length: ADDRESS_FAILURE_LIMIT }, (_, i) => `guess-${i}@office.cn`);
    for (let i = 0; i < emails.length; i += 5) {
      const batch = await Promise.all(
        emails.slice(i, i + 5).map((e) => attempt(t, e, WRONG, randomAddress())),
      );
      expect(batch.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    }
    const ips = await t.orm.em
      .fork()
      .find(LoginFailure, {}, { fields: ['ip'] })
      .then((rows) => new Set(rows.map((r) => r.ip)));
    expect(ips.size).toBe(1);
    expect([...ips][0]).toMatch(/127\.0\.0\.1|::1/);

    const throttled = await attempt(t, 'colleague@office.cn', PASSWORD, randomAddress());
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('prunes failures that left the window as new ones are written', async () => {
    const em = t.orm.em.fork();
    await em.insert(LoginFailure, {
      email: 'old@office.cn',
      ip: '192.0.2.1',
      at: new Date(Date.now() - 2 * LOGIN_WINDOW_MS),
    });
    await fail(t, 'typo@office.cn', 1);
    expect(await em.count(LoginFailure, { email: 'old@office.cn' })).toBe(0);
    expect(await em.count(LoginFailure, { email: 'typo@office.cn' })).toBe(1);
  });

  it('the sign-in page shares the throttle and shows it on the form, with 429 and Retry-After', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const pageAttempt = async (password: string) => {
      const form = await agent.get('/login?lang=en');
      return agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfOf(form.text), email: 'typo@office.cn', password });
    };
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT / 2; i++) expect((await pageAttempt(WRONG)).status).toBe(401);
    await fail(t, 'typo@office.cn', ACCOUNT_FAILURE_LIMIT / 2);
    const page = await pageAttempt(PASSWORD);
    expect(page.status).toBe(429);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(page.text).toMatch(
      /data-testid="login-error">Too many failed sign-ins; please try again in 15 minutes</,
    );
    expect(page.text).toContain('name="password"');
    expect((await attempt(t, 'typo@office.cn', PASSWORD)).status).toBe(429);

    const zh = await agent.get('/login?lang=zh');
    const zhPage = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(zh.text), email: 'typo@office.cn', password: PASSWORD });
    expect(zhPage.status).toBe(429);
    expect(zhPage.text).toContain('登录失败次数过多，请 15 分钟后再试');
  });
});

describe('TRUST_PROXY set: the address X-Forwarded-For names is the client’s', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'loopback' });
  });
  afterAll(() => t?.close());

  it('counts failures under the forwarded address when the proxy is trusted', async () => {
    expect((await attempt(t, 'someone@office.cn', WRONG, '203.0.113.9')).status).toBe(401);
    const rows = await t.orm.em.fork().find(LoginFailure, {});
    expect(rows.map((r) => r.ip)).toEqual(['203.0.113.9']);
  });
});

describe('sign-in throttle across two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ DATABASE_URL: a.databaseUrl, DATA_DIR: a.dataDir });
    await createUsers(a, ['shared@office.cn']);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('parallel wrong passwords on both instances: at most 10 are checked in all, the rest 429', async () => {
    const spies = [a, b].map((t) => jest.spyOn(t.app.get(SessionsService), 'login'));
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => attempt(i % 2 ? b : a, 'shared@office.cn', WRONG)),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      const checked = statuses.filter((s) => s === 401).length;
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(ACCOUNT_FAILURE_LIMIT);
      expect(spies[0].mock.calls.length + spies[1].mock.calls.length).toBe(checked);
      const em = a.orm.em.fork();
      expect(await em.count(LoginFailure, { email: 'shared@office.cn' })).toBe(checked);
      expect(await em.count(AuditLog, { action: 'login_failed' })).toBe(checked);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });
});
