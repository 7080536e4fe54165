import { AuditLog, Session, User } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { freePort, OIDC_CLIENT, startOidcProvider, type TestOidcProvider } from '../support/oidc';

/** Cookies per host, as a browser keeps them (paths and expiry beyond removal are not modelled). */
class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  header(url: URL): string {
    return [...(this.byHost.get(url.host) ?? new Map<string, string>())]
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  }

  store(url: URL, res: Response) {
    const jar = this.byHost.get(url.host) ?? new Map<string, string>();
    this.byHost.set(url.host, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const gone = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (gone || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  get(host: string, name: string): string | undefined {
    return this.byHost.get(host)?.get(name);
  }
}

/** GETs `start` and follows every redirect (app → provider → app), like a browser. */
async function browse(start: string, jar: CookieJar) {
  let url = new URL(start);
  const visited: string[] = [];
  for (let i = 0; i < 20; i++) {
    visited.push(url.href);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(url, res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    return { status: res.status, url, body: await res.text(), visited };
  }
  throw new Error(`too many redirects: ${visited.join(' → ')}`);
}

describe('single sign-on through OpenID Connect', () => {
  let t: TestApp;
  let idp: TestOidcProvider;
  let base: string;
  let admin: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider(`${base}/auth/oidc/callback`);
    t = await createTestApp({
      PUBLIC_URL: base,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_LABEL: 'Gov ID',
    });
    await t.app.listen(port, '127.0.0.1');
    admin = await t.login(ADMIN.email, ADMIN.password);
    for (const [email, active] of [
      ['sso.user@test.gov.cn', true],
      ['sso.disabled@test.gov.cn', false],
    ] as const) {
      const res = await t.http
        .post('/api/v1/users')
        .set('authorization', `Bearer ${admin}`)
        .send({
          email,
          name: 'SSO',
          password: 'quartz-lantern-harbor-41',
          role: 'supervisor',
          provinces: ['11'],
        });
      expect(res.status).toBe(201);
      if (!active) {
        await t.http
          .patch(`/api/v1/users/${res.body.id}`)
          .set('authorization', `Bearer ${admin}`)
          .send({ active: false });
      }
    }
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it('shows the button with OIDC_LABEL on the sign-in page', async () => {
    const zh = await fetch(`${base}/login?lang=zh`).then((r) => r.text());
    expect(zh).toContain('使用Gov ID登录');
    expect(zh).toContain('href="/auth/oidc/start"');
    const en = await fetch(`${base}/login?lang=en&next=%2Freview`).then((r) => r.text());
    expect(en).toContain('Sign in with Gov ID');
    expect(en).toContain('href="/auth/oidc/start?next=%2Freview"');
  });

  it('signs an existing user in (e-mail matched case-insensitively) with a normal session, back to next', async () => {
    await idp.loginAs('SSO.User@Test.gov.cn');
    const jar = new CookieJar();
    const res = await browse(`${base}/auth/oidc/start?next=%2Fsettings%2Fnotices`, jar);
    expect(res.visited.some((u) => u.startsWith(idp.issuer))).toBe(true);
    // PKCE and state travelled with the authorization request.
    const auth = new URL(res.visited.find((u) => u.startsWith(`${idp.issuer}/auth?`))!);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(res.status).toBe(200);
    expect(res.url.pathname).toBe('/settings/notices');
    const sid = jar.get(new URL(base).host, 'sid')!;
    expect(sid).toBeTruthy();
    const me = await t.http.get('/api/v1/auth/me').set('cookie', `sid=${sid}`);
    expect(me.status).toBe(200);
    // Role and provinces are the product's, not the provider's.
    expect(me.body).toMatchObject({ email: 'sso.user@test.gov.cn', role: 'supervisor', provinces: ['11'] });
    const user = await t.orm.em.fork().findOneOrFail(User, { email: 'sso.user@test.gov.cn' });
    const login = await t.orm.em
      .fork()
      .findOneOrFail(AuditLog, { action: 'login', entityId: String(user.id) });
    expect(login.changes).toMatchObject({ via: 'oidc' });
  });

  it('refuses an unknown e-mail with a clear page, creates nobody, and audits it', async () => {
    const users = await t.orm.em.fork().count(User, {});
    const sessions = await t.orm.em.fork().count(Session, {});
    await idp.loginAs('stranger@elsewhere.example');
    const res = await browse(`${base}/auth/oidc/start?lang=en`, new CookieJar());
    expect(res.status).toBe(403);
    expect(res.body).toContain('data-reason="unknown"');
    expect(res.body).toContain('stranger@elsewhere.example');
    expect(await t.orm.em.fork().count(User, {})).toBe(users);
    expect(await t.orm.em.fork().count(Session, {})).toBe(sessions);
    const refused = await t.orm.em.fork().find(AuditLog, { action: 'oidc_refused' });
    expect(refused.at(-1)!.changes).toMatchObject({ email: 'stranger@elsewhere.example', reason: 'unknown' });
  });

  it('refuses a disabled user and an unverified address', async () => {
    await idp.loginAs('sso.disabled@test.gov.cn');
    const disabled = await browse(`${base}/auth/oidc/start`, new CookieJar());
    expect(disabled.status).toBe(403);
    expect(disabled.body).toContain('data-reason="inactive"');
    expect(disabled.body).toContain('已停用');
    const refused = await t.orm.em.fork().find(AuditLog, { action: 'oidc_refused' });
    expect(refused.at(-1)!.changes).toMatchObject({ reason: 'inactive' });

    await idp.loginAs('sso.user@test.gov.cn', false);
    const unverified = await browse(`${base}/auth/oidc/start`, new CookieJar());
    expect(unverified.status).toBe(400);
    expect(unverified.body).toContain('data-reason="noEmail"');
  });

  it('refuses a callback without its signed cookie, with an altered one, or with another state', async () => {
    await idp.loginAs('sso.user@test.gov.cn');
    const host = new URL(base).host;
    // Stop at the app's callback to replay it differently.
    const jar = new CookieJar();
    let url = new URL(`${base}/auth/oidc/start`);
    for (let i = 0; i < 10 && url.pathname !== '/auth/oidc/callback'; i++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
      jar.store(url, res);
      url = new URL(res.headers.get('location')!, url);
    }
    expect(url.pathname).toBe('/auth/oidc/callback');
    const flow = jar.get(host, 'oidc_flow')!;
    const noCookie = await fetch(url, { redirect: 'manual' });
    expect(noCookie.status).toBe(400);
    expect(await noCookie.text()).toContain('data-reason="failed"');
    const altered = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: `oidc_flow=${flow.slice(0, -2)}xx` },
    });
    expect(altered.status).toBe(400);
    const otherState = new URL(url);
    otherState.searchParams.set('state', 'not-the-state');
    const wrong = await fetch(otherState, { redirect: 'manual', headers: { cookie: `oidc_flow=${flow}` } });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.getSetCookie().join()).not.toContain('sid=');
    // The genuine callback still works once.
    const ok = await fetch(url, { redirect: 'manual', headers: { cookie: `oidc_flow=${flow}` } });
    expect(ok.status).toBe(303);
    expect(ok.headers.getSetCookie().join()).toContain('sid=');
    expect(await t.orm.em.fork().count(AuditLog, { action: 'oidc_failed' })).toBeGreaterThanOrEqual(3);
  });
});

describe('without OIDC settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('shows no single sign-on button and has no such routes', async () => {
    const page = await t.http.get('/login');
    expect(page.text).not.toContain('/auth/oidc/start');
    expect(page.text).toContain('href="/forgot-password"');
    expect((await t.http.get('/auth/oidc/start')).status).toBe(404);
    expect((await t.http.get('/auth/oidc/callback?code=x&state=y')).status).toBe(404);
  });
});
