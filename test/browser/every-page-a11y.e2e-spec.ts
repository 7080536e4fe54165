import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleRef } from '@nestjs/core';
import type { Browser, Page } from 'playwright-core';
import { Activity, OutboxMessage, User } from '@app/db';
import { DemoSeedService, type DemoSeedSummary } from '../../apps/tracker/src/demo/demo-seed.service';
import { launchBrowser, openPage, type PageProblems, signIn, startServer } from '../support/browser';
import { listRoutes } from '../support/routes';
import { ADMIN, type TestApp } from '../support/test-app';
import { unitCsv, ZH_HEADERS } from '../fixtures/units';

/*
 * Every page of the app, as each role that may see it, in Chinese and English, on a phone (390×844) and
 * a laptop (1366×768): the page itself never scrolls sideways on the phone (wide tables scroll in their
 * own box), and axe-core finds no text below WCAG AA contrast and no form field without its label.
 */

const TODAY = '2026-12-01';
const AXE_SOURCE = readFileSync(join(require.resolve('axe-core'), '..', 'axe.min.js'), 'utf8');
const RULES = [
  'color-contrast',
  'label',
  'label-title-only',
  'select-name',
  'aria-input-field-name',
  'form-field-multiple-labels',
];
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1366, height: 768 },
];
/** GET routes that are not pages: files, redirects, a mail shown inside a page's frame. */
const NOT_PAGES = new Set([
  '/',
  '/{*all}',
  '/assets/*path',
  '/overview.xlsx',
  '/overview.csv',
  '/overview/league.xlsx',
  '/overview/league.csv',
  '/units/:id/activities.xlsx',
  '/units/:id/activities.csv',
  '/admin/outbox/:id/html',
  // Single sign-on: redirects to and from the identity provider.
  '/auth/oidc/start',
  '/auth/oidc/callback',
]);

type Role = 'anonymous' | 'unit' | 'supervisor' | 'admin';

interface Finding {
  role: Role;
  path: string;
  width: number;
  problem: string;
}

/** What sticks out of a phone-wide page: the outermost elements reaching past its right edge. */
async function overflowing(page: Page, width: number): Promise<string[]> {
  return page.evaluate((w) => {
    const out: string[] = [];
    const walk = (el: Element) => {
      const style = getComputedStyle(el);
      if (el.getBoundingClientRect().right > w + 0.5 && style.position !== 'fixed') {
        const wider = [...el.children].filter((c) => c.getBoundingClientRect().right > w + 0.5);
        if (!wider.length || style.overflowX === 'auto') {
          const id = el.id ? `#${el.id}` : '';
          const cls = el.classList.length ? `.${[...el.classList].join('.')}` : '';
          out.push(
            `${el.tagName.toLowerCase()}${id}${cls} (${Math.round(el.getBoundingClientRect().right)})`,
          );
          return;
        }
      }
      if (style.overflowX === 'auto' || style.overflowX === 'hidden') return;
      for (const c of el.children) walk(c);
    };
    walk(document.body);
    return out.slice(0, 5);
  }, width);
}

async function axeViolations(page: Page): Promise<string[]> {
  const violations = await page.evaluate(async (rules) => {
    const axe = (window as unknown as { axe: any }).axe;
    const r = await axe.run(document, { runOnly: { type: 'rule', values: rules } });
    return (r.violations as any[]).map((v) => ({
      id: v.id as string,
      nodes: (v.nodes as any[]).slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  }, RULES);
  return violations.map((v) => `${v.id} ${v.nodes.join(' | ')}`);
}

describe('browser: every page readable on a phone and a laptop, with AA contrast and labelled fields', () => {
  let s: TestApp & { baseUrl: string };
  let browser: Browser;
  let seeded: DemoSeedSummary;
  const pages: Record<Role, string[]> = { anonymous: [], unit: [], supervisor: [], admin: [] };
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    s = await startServer({}, { today: TODAY });
    seeded = await (await s.app.get(ModuleRef).create(DemoSeedService)).seed({ province: '44', units: 6 });
    const admin = await s.login(ADMIN.email, ADMIN.password);
    const run = await s.http
      .post('/api/v1/reports/runs')
      .set('authorization', `Bearer ${admin}`)
      .send({ period: TODAY.slice(0, 7) });
    expect(run.status).toBeLessThan(300);
    const em = s.orm.em.fork();
    const unit = seeded.units[0];
    const own = await em.find(Activity, { unit: unit.id }, { orderBy: { id: 'asc' }, limit: 50 });
    const byStatus = (st: string) => own.find((a) => a.status === st)!.id;
    const submitted = await em.findOneOrFail(Activity, { status: 'submitted' }, { orderBy: { id: 'asc' } });
    const mail = await em.findOneOrFail(OutboxMessage, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } });
    const unitUser = await em.findOneOrFail(User, { email: unit.email });
    const common = ['/settings/notices', '/account/calendar', '/settings/password'];
    pages.anonymous = ['/login', '/no-such-page', '/forgot-password', '/reset-password'];
    pages.unit = [
      `/units/${unit.id}`,
      `/units/${unit.id}/print`,
      '/activities/new',
      `/activities/${byStatus('draft')}`,
      `/activities/${byStatus('verified')}`,
      ...common,
    ];
    pages.supervisor = [
      '/overview',
      '/overview/league',
      '/overview/league?by=cohort&sort=medianReviewHours&order=asc',
      '/review',
      `/units/${unit.id}`,
      `/units/${unit.id}/print`,
      `/activities/${submitted.id}`,
      '/robots',
      '/reports/province-year',
      ...common,
    ];
    pages.admin = [
      '/overview',
      '/overview/league?by=industry',
      '/review',
      `/units/${unit.id}`,
      `/units/${unit.id}/print`,
      '/activities/new',
      `/activities/${submitted.id}`,
      '/robots',
      '/admin/units',
      '/admin/units/new',
      `/admin/units/${unit.id}/edit`,
      '/admin/users',
      '/admin/users/new',
      `/admin/users/${unitUser.id}/edit`,
      '/admin/rule-sets',
      '/admin/outbox',
      `/admin/outbox/${mail.id}`,
      '/admin/audit',
      ...common,
    ];
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });
  afterEach(() => {
    expect(problems.flatMap((p) => p.take())).toEqual([]);
  });

  it('visits every page route the app serves', () => {
    const visited = new Set(
      Object.values(pages)
        .flat()
        .map((p) => p.replace(/\/\d+(?=\/|$)/g, '/:id')),
    );
    const missing = listRoutes(s.app)
      .filter((r) => r.method === 'GET' && !r.path.startsWith('/api/') && !r.path.startsWith('/health'))
      .map((r) => r.path)
      .filter((p) => !p.startsWith('/metrics') && !p.startsWith('/calendar/') && !NOT_PAGES.has(p))
      .filter((p) => !visited.has(p));
    expect(missing).toEqual([]);
  });

  for (const locale of ['zh', 'en'] as const) {
    it(`in ${locale}: no sideways scrolling at 390 px, no contrast or label violations`, async () => {
      const found: Finding[] = [];
      for (const role of ['anonymous', 'unit', 'supervisor', 'admin'] as const) {
        const {
          context,
          page,
          problems: p,
        } = await openPage(browser, s.baseUrl, locale === 'zh' ? 'zh-CN' : 'en-US');
        problems.push(p);
        if (role !== 'anonymous') {
          const email = {
            unit: seeded.units[0].email,
            supervisor: seeded.supervisor.email,
            admin: ADMIN.email,
          }[role];
          await signIn(page, email, role === 'admin' ? ADMIN.password : seeded.password);
        }
        for (const path of pages[role]) {
          // Loaded on the phone, then the same page widened to the laptop.
          await page.setViewportSize(VIEWPORTS[0]);
          const res = await page.goto(`${path}${path.includes('?') ? '&' : '?'}lang=${locale}`);
          expect({ path, status: res!.status() }).toEqual({
            path,
            status: path === '/no-such-page' ? 404 : 200,
          });
          await expect(page.locator('html').getAttribute('lang')).resolves.toBe(
            locale === 'zh' ? 'zh-CN' : 'en',
          );
          const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
          if (scroll > VIEWPORTS[0].width) {
            const what = await overflowing(page, VIEWPORTS[0].width);
            found.push({ role, path, width: 390, problem: `scrollWidth ${scroll}: ${what.join(', ')}` });
          }
          await page.evaluate(AXE_SOURCE);
          for (const vp of VIEWPORTS) {
            await page.setViewportSize(vp);
            for (const v of await axeViolations(page))
              found.push({ role, path, width: vp.width, problem: v });
          }
        }
        // The 404 page's own console line is expected; nothing else may complain.
        p.take().forEach((m) => expect(m).toMatch(/status of 404/));
        await context.close();
      }
      expect(found).toEqual([]);
    }, 300_000);
  }
  it('the review queue by keyboard: select all, choose reject, a missing reason is shown on its field', async () => {
    const { context, page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await page.setViewportSize(VIEWPORTS[0]);
    await signIn(page, seeded.supervisor.email, seeded.password);
    await page.goto('/review');
    const boxes = page.locator('input[name=ids]');
    expect(await boxes.count()).toBeGreaterThan(1);
    await page.focus('#bulk-check-all');
    // The focus is visible: a keyboard user sees where they are.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await expect(
      page.locator('#bulk-check-all').evaluate((el) => getComputedStyle(el).outlineStyle),
    ).resolves.not.toBe('none');
    await page.keyboard.press('Space');
    await expect(boxes.evaluateAll((bs) => bs.every((b) => (b as HTMLInputElement).checked))).resolves.toBe(
      true,
    );
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('bulk-action');
    await page.selectOption('#bulk-action', 'reject');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('bulk-reason');
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/review/bulk')),
      page.keyboard.press('Enter'),
    ]);
    await page.waitForLoadState('load');
    await expect(page.locator('#bulk-reason-error').textContent()).resolves.toBe('退回时必须填写原因');
    await expect(page.locator('#bulk-reason').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('bulk-reason');
    await expect(boxes.evaluateAll((bs) => bs.every((b) => (b as HTMLInputElement).checked))).resolves.toBe(
      true,
    );
    // The refusal is a 400 page (its console line may come late), nothing else.
    await page.waitForTimeout(200);
    p.take().forEach((m) => expect(m).toMatch(/status of 400/));
    await context.close();
  });

  it('the unit picker finds units on the server as one types, and is chosen by keyboard', async () => {
    const { context, page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/users/new');
    await page.selectOption('#role', 'unit');
    const target = seeded.units[seeded.units.length - 1];
    await page.fill('#email', 'picked@unit.example.cn');
    await page.fill('#name', '选单位的用户');
    await page.fill('#password', 'a-long-password-7');
    await page.locator('#unitId-search').pressSequentially(target.name.slice(0, -2));
    await page.waitForSelector('#unitId-options [role=option]');
    await expect(page.locator('#unitId-search').getAttribute('aria-expanded')).resolves.toBe('true');
    const index = await page
      .locator('#unitId-options [role=option]')
      .evaluateAll((os, id) => os.findIndex((o) => o.getAttribute('data-unit') === String(id)), target.id);
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.locator('#unitId-search').inputValue()).resolves.toBe(target.name);
    await expect(page.locator('input[name=unitId]').inputValue()).resolves.toBe(String(target.id));
    await Promise.all([
      page.waitForURL(/\/admin\/users\?done=userCreated/),
      page.click('[data-testid=save-user]'),
    ]);
    const user = await s.orm.em.fork().findOneOrFail(User, { email: 'picked@unit.example.cn' });
    expect(user.unit?.id).toBe(target.id);
    await context.close();
  });

  it('the import report names fields, not their codes', async () => {
    const { context, page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto('/admin/units');
    const bad = unitCsv([
      ZH_HEADERS,
      [
        '坏代码单位',
        '123',
        '广东省',
        '现代物流',
        '企事业单位',
        '2026-01-01',
        '2027-12-31',
        '王五',
        'not-an-email',
      ],
    ]);
    await page.setInputFiles('#import-file', { name: 'units.csv', mimeType: 'text/csv', buffer: bad });
    await page.click('[data-testid=import-submit]');
    const fields = page.locator('[data-testid=import-result] tbody tr td:nth-child(2)');
    await fields.first().waitFor();
    const shown = await fields.allTextContents();
    expect(shown).toEqual(expect.arrayContaining(['统一社会信用代码']));
    for (const f of shown) expect(f).not.toMatch(/^[a-z][A-Za-z.0-9]*$/);
    await context.close();
  });
});
