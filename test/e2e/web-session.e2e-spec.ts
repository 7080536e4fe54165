import request from 'supertest';
import { AuditLog, Session, User } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { csrfOf, pageLogin } from './web-fixtures';

describe('web: sign-in, sign-out, language, assets, security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('sends signed-out visitors to the sign-in page and back afterwards', async () => {
    const res = await t.http.get('/overview?status=met');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/overview?status=met')}`);
    const home = await t.http.get('/');
    expect(home.headers.location).toBe('/login');
  });

  it('shows the sign-in page in Chinese by default and in English on request, remembering the choice', async () => {
    const zh = await t.http.get('/login');
    expect(zh.status).toBe(200);
    expect(zh.headers['content-type']).toMatch(/text\/html/);
    expect(zh.text).toContain('<html lang="zh-CN">');
    expect(zh.text).toContain('电子邮箱');
    const en = await t.http.get('/login?lang=en');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Password');
    const cookie = (en.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('lang='));
    expect(cookie).toMatch(/^lang=en;/);
    const again = await t.http.get('/login').set('Cookie', 'lang=en');
    expect(again.text).toContain('<html lang="en">');
    const browserEn = await t.http.get('/login').set('Accept-Language', 'en-US,en;q=0.9');
    expect(browserEn.text).toContain('<html lang="en">');
    expect((await t.http.get('/login?lang=fr')).status).toBe(400);
  });

  it('answers an unknown page with a page, and unknown API paths with JSON', async () => {
    const page = await t.http
      .get('/no-such-page?lang=en')
      .set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Page not found');
    const api = await t.http.get('/api/v1/no-such-thing').set('Accept', 'text/html');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toMatch(/json/);
    expect(
      (await t.http.get('/no-such-page').set('Accept', 'application/json')).headers['content-type'],
    ).toMatch(/json/);
  });

  it('sets a CSP that allows only the app’s own scripts and styles, and no inline code is needed', async () => {
    const res = await t.http.get('/login');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/<style|\sstyle="|\son[a-z]+="/i);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a sign-in form without its token, and a wrong password, on the form itself', async () => {
    const noToken = await t.http
      .post('/login')
      .type('form')
      .send({ email: ADMIN.email, password: ADMIN.password });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('页面已过期');

    const agent = request.agent(t.app.getHttpServer());
    const form = await agent.get('/login?lang=en');
    const wrong = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(form.text), email: ADMIN.email, password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong e-mail or password');
    expect(wrong.text).toContain(`value="${ADMIN.email}"`);
    expect(wrong.text).not.toContain('nope-nope-nope');
  });

  it('signs in with an HttpOnly cookie, follows only local next= paths, and signs out for good', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const form = await agent.get('/login');
    const ok = await agent
      .post('/login')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        email: ADMIN.email,
        password: ADMIN.password,
        next: '//evil.example/x',
      });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/');
    expect((ok.headers['set-cookie'] as unknown as string[]).join(';')).toMatch(/sid=[^;]+;.*HttpOnly/i);
    expect((await agent.get('/')).headers.location).toBe('/overview');
    expect((await agent.get('/login')).status).toBe(303);

    const sessions = await t.orm.em.fork().count(Session, {});
    const page = await agent.get('/login?next=/x').redirects(0);
    expect(page.headers.location).toBe('/x');

    // Sign-out is a state change: without the token it is refused and the session lives on.
    const refused = await agent.post('/logout').type('form').send({});
    expect(refused.status).toBe(403);
    expect(await t.orm.em.fork().count(Session, {})).toBe(sessions);

    const csrf = await csrfFromLayout(agent);
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(await t.orm.em.fork().count(Session, {})).toBe(sessions - 1);
    expect((await agent.get('/')).headers.location).toBe('/login');
    const audit = await t.orm.em.fork().find(AuditLog, { action: 'logout' });
    expect(audit.length).toBeGreaterThan(0);
  });

  it('keeps the language on the account once signed in', async () => {
    const agent = await pageLogin(t, ADMIN.email, ADMIN.password);
    const csrf = await csrfFromLayout(agent);
    const res = await agent
      .post('/settings/locale')
      .type('form')
      .send({ _csrf: csrf, locale: 'en', next: '/login?lang=zh&x=1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?x=1');
    const user = await t.orm.em.fork().findOneOrFail(User, { email: ADMIN.email });
    expect(user.locale).toBe('en');
    const bad = await agent.post('/settings/locale').type('form').send({ _csrf: csrf, locale: 'fr' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('locale');
    await agent.post('/settings/locale').type('form').send({ _csrf: csrf, locale: 'zh' });
  });

  it('serves its own assets, versioned, cached for a year and gzipped; nothing else', async () => {
    const page = await t.http.get('/login');
    const css = /href="(\/assets\/app\.css\?v=[0-9a-f]+)"/.exec(page.text)![1];
    const res = await t.http.get(css).set('Accept-Encoding', 'gzip');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/css/);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toContain('immutable');
    const again = await t.http.get(css).set('If-None-Match', res.headers.etag);
    expect(again.status).toBe(304);

    const chart = await t.http.get('/assets/vendor/chart.js');
    expect(chart.status).toBe(200);
    expect(chart.text).toContain('Chart');
    expect(chart.headers['cache-control']).toContain('must-revalidate');

    const fontCss = await t.http.get('/assets/fonts/noto-sans-sc.css');
    expect(fontCss.text).toContain("font-family: 'Noto Sans SC'");
    expect(fontCss.text).not.toMatch(/https?:\/\//);
    const font = /url\((\/assets\/fonts\/[^)]+\.woff2)\)/.exec(fontCss.text)![1];
    const woff = await t.http.get(font);
    expect(woff.status).toBe(200);
    expect(woff.headers['content-type']).toBe('font/woff2');

    for (const path of [
      '/assets/../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/fonts/../../../../etc/passwd',
      '/assets/fonts/noto-sans-sc-chinese-simplified-400-normal.woff',
      '/assets/nope.js',
    ]) {
      expect((await t.http.get(path)).status).toBe(404);
    }
  });

  async function csrfFromLayout(agent: ReturnType<typeof request.agent>): Promise<string> {
    // Any signed-in page carries the token; the error page of an unknown unit is the cheapest one.
    const res = await agent.get('/units/999999');
    return csrfOf(res.text);
  }
});
