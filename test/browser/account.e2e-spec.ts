import type { Browser, Page } from 'playwright-core';
import { OutboxWorker } from '@app/mail';
import { launchBrowser, openPage, type PageProblems, screenshot, signIn } from '../support/browser';
import { freePort, OIDC_CLIENT, startOidcProvider, type TestOidcProvider } from '../support/oidc';
import { startSmtp, type TestSmtpServer } from '../support/smtp';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';

/*
 * The account pages in a real Chromium: changing one's password (other browsers are signed out), the
 * "forgot password" mail's link setting a new one, and single sign-on against a local OpenID Connect
 * provider (a known user signs in, an unknown one is refused), in Chinese and English, on a laptop
 * (1366×768) and a phone (390×844). Each password test has its own user, who speaks the page's language.
 */

const OLD = 'quartz-lantern-harbor-41';
const NEW = 'violet-meadow-compass-87';
const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const BROWSER_LOCALE = { zh: 'zh-CN', en: 'en' } as const;

/** What the password pages and the reset mail say, per language. */
const TEXT = {
  zh: {
    wrongPassword: '当前密码不正确',
    changed: '密码已修改',
    requested: '如果该地址属于本平台的账号',
    subject: '【示范项目平台】重设密码',
    tooShort: '至少需要 10 个字符',
    resetDone: '新密码已设置',
    used: '已使用过',
  },
  en: {
    wrongPassword: 'not your current password',
    changed: 'Password changed',
    requested: 'If the address belongs to an account',
    subject: 'Reset your password',
    tooShort: 'at least 10',
    resetDone: 'new password is set',
    used: 'already used',
  },
} as const;

/** The user of one password test: what it does, in which language, at which width. */
function userFor(what: 'change' | 'reset', locale: 'zh' | 'en', vp: { width: number }): string {
  return `${what}-${locale}-${vp.width}@test.gov.cn`;
}

describe('browser: passwords and single sign-on', () => {
  let s: TestApp;
  let base: string;
  let smtp: TestSmtpServer;
  let idp: TestOidcProvider;
  let browser: Browser;
  const problems: PageProblems[] = [];

  async function page(locale: 'zh-CN' | 'en', viewport: { width: number; height: number }) {
    const opened = await openPage(browser, base, locale);
    await opened.page.setViewportSize(viewport);
    problems.push(opened.problems);
    return opened;
  }

  /** Nothing sticks out sideways (the phone width is the one that would show it). */
  async function fitsWidth(p: Page) {
    const { scroll, width } = await p.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      width: window.innerWidth,
    }));
    expect(scroll).toBeLessThanOrEqual(width);
  }

  /** The first mail that reached `email`, waiting for the outbox to send it. */
  async function mailTo(email: string) {
    for (let i = 0; i < 300; i++) {
      const mail = smtp.received.find((m) => m.to.includes(email));
      if (mail) return mail;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail reached ${email}`);
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    smtp = await startSmtp();
    idp = await startOidcProvider(`${base}/auth/oidc/callback`);
    s = await createTestApp({
      PUBLIC_URL: base,
      SMTP_URL: smtp.url,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_LABEL: 'Gov ID',
    });
    await s.app.listen(port, '127.0.0.1');
    const admin = await s.login(ADMIN.email, ADMIN.password);
    const users: [string, 'zh' | 'en'][] = [['zhang@test.gov.cn', 'zh']];
    for (const what of ['change', 'reset'] as const) {
      for (const locale of ['zh', 'en'] as const) {
        for (const vp of [LAPTOP, PHONE]) users.push([userFor(what, locale, vp), locale]);
      }
    }
    for (const [email, locale] of users) {
      const res = await s.http
        .post('/api/v1/users')
        .set('authorization', `Bearer ${admin}`)
        .send({
          email,
          name: email.split('@')[0],
          password: OLD,
          role: 'supervisor',
          provinces: ['11'],
          locale,
        });
      expect(res.status).toBe(201);
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await idp?.close();
    await smtp?.close();
  });
  // Refused forms and the refusal page answer 400/403 on purpose; Chromium logs those as console errors.
  afterEach(() => {
    const expected = /status of 40[03]/;
    expect(problems.flatMap((p) => p.take()).filter((l) => !expected.test(l))).toEqual([]);
  });

  for (const L of ['zh', 'en'] as const) {
    for (const vp of [LAPTOP, PHONE]) {
      const size = `${vp.width}×${vp.height}`;
      const says = TEXT[L];

      it(`${L}, ${size}: changes the password on its page; another browser is signed out, this one stays`, async () => {
        const email = userFor('change', L, vp);
        const other = await page(BROWSER_LOCALE[L], vp);
        await signIn(other.page, email, OLD);
        const { page: p } = await page(BROWSER_LOCALE[L], vp);
        await signIn(p, email, OLD);
        await p.click('[data-testid=password-link]');
        expect(new URL(p.url()).pathname).toBe('/settings/password');
        await fitsWidth(p);
        await p.fill('#currentPassword', 'not-my-password');
        await p.fill('#newPassword', NEW);
        await Promise.all([p.waitForLoadState('load'), p.click('[data-testid=change-password]')]);
        await expect(p.locator('[data-error-for=currentPassword]').textContent()).resolves.toContain(
          says.wrongPassword,
        );
        await expect(p.locator('#currentPassword').getAttribute('aria-invalid')).resolves.toBe('true');
        await p.fill('#currentPassword', OLD);
        await p.fill('#newPassword', NEW);
        await Promise.all([p.waitForURL(/done=passwordChanged/), p.click('[data-testid=change-password]')]);
        await expect(p.locator('[data-testid=flash]').textContent()).resolves.toContain(says.changed);
        await fitsWidth(p);
        await screenshot(p, `password-changed-${L}-${vp.width}`);
        // This browser is still signed in; the other one is sent to the sign-in page.
        await p.goto('/settings/notices');
        expect(new URL(p.url()).pathname).toBe('/settings/notices');
        await other.page.goto('/settings/notices');
        expect(new URL(other.page.url()).pathname).toBe('/login');
        await other.context.close();
      });

      it(`${L}, ${size}: "forgot password" mails a link that sets a new password, once`, async () => {
        const email = userFor('reset', L, vp);
        const { page: p } = await page(BROWSER_LOCALE[L], vp);
        await p.goto('/login');
        await p.click('[data-testid=forgot-password]');
        expect(new URL(p.url()).pathname).toBe('/forgot-password');
        await fitsWidth(p);
        await p.fill('#email', email);
        await Promise.all([p.waitForLoadState('load'), p.click('[data-testid=request-reset]')]);
        await expect(p.locator('[data-testid=reset-requested]').textContent()).resolves.toContain(
          says.requested,
        );
        await s.app.get(OutboxWorker).processDue();
        const mail = await mailTo(email);
        // The mail speaks the user's language.
        expect(mail.parsed.subject).toBe(says.subject);
        const link = /http:\/\/127\.0\.0\.1:\d+\/reset-password\?token=[\w-]+/.exec(
          mail.parsed.text ?? '',
        )![0];
        await p.goto(link);
        await fitsWidth(p);
        await screenshot(p, `reset-password-${L}-${vp.width}`);
        await p.fill('#newPassword', 'short');
        await Promise.all([p.waitForLoadState('load'), p.click('[data-testid=set-password]')]);
        await expect(p.locator('[data-error-for=newPassword]').textContent()).resolves.toContain(
          says.tooShort,
        );
        await p.fill('#newPassword', NEW);
        await Promise.all([p.waitForLoadState('load'), p.click('[data-testid=set-password]')]);
        await expect(p.locator('[data-testid=reset-done]').textContent()).resolves.toContain(says.resetDone);
        await fitsWidth(p);
        await p.click('[data-testid=to-login]');
        await signIn(p, email, NEW);
        expect(new URL(p.url()).pathname).toBe('/overview');
        // The same link again: refused, with the way to a new one.
        const again = await page(BROWSER_LOCALE[L], vp);
        await again.page.goto(link);
        await again.page.fill('#newPassword', 'amber-orchard-telescope-19');
        await Promise.all([
          again.page.waitForLoadState('load'),
          again.page.click('[data-testid=set-password]'),
        ]);
        await expect(again.page.locator('[data-testid=form-error]').textContent()).resolves.toContain(
          says.used,
        );
        await expect(again.page.locator('a[href="/forgot-password"]').count()).resolves.toBe(1);
        await fitsWidth(again.page);
      });
    }
  }

  it('zh, 1366×768: signs a known user in through the identity provider', async () => {
    await idp.loginAs('zhang@test.gov.cn');
    const { page: p } = await page('zh-CN', LAPTOP);
    await p.goto('/login');
    const button = p.locator('[data-testid=oidc-sign-in]');
    await expect(button.textContent()).resolves.toBe('使用Gov ID登录');
    await Promise.all([p.waitForURL((u) => u.pathname === '/overview'), button.click()]);
    await expect(p.locator('.who').textContent()).resolves.toContain('zhang');
    await screenshot(p, 'oidc-signed-in-zh-1366');
  });

  it('en, 390×844: refuses an e-mail that belongs to no user, saying so', async () => {
    await idp.loginAs('stranger@elsewhere.example');
    const { page: p } = await page('en', PHONE);
    await p.goto('/login?lang=en');
    await Promise.all([p.waitForURL(/\/auth\/oidc\/callback/), p.click('[data-testid=oidc-sign-in]')]);
    const refusal = p.locator('[data-testid=oidc-refused]');
    await expect(refusal.textContent()).resolves.toContain('No user of this platform');
    await expect(refusal.textContent()).resolves.toContain('stranger@elsewhere.example');
    await fitsWidth(p);
    await screenshot(p, 'oidc-refused-en-390');
    await p.click('[data-testid=back-to-login]');
    expect(new URL(p.url()).pathname).toBe('/login');
  });
});
