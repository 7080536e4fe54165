import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { IsoDate } from '@app/compliance';
import { createTestApp, TEST_DB, type TestApp } from './test-app';

/** Debian's chromium package (installed by .ci/run when missing). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots land here (gitignored), one folder per database pass. */
export const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'browser', TEST_DB);

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: run "apt-get install -y chromium" (see .ci/run)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The real application listening on a free port, for a browser to visit; `today` pins its clock. */
export async function startServer(
  overrides: Record<string, string> = {},
  options: { today?: IsoDate } = {},
): Promise<TestApp & { baseUrl: string }> {
  const t = await createTestApp(overrides, options);
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return Object.assign(t, { baseUrl: `http://127.0.0.1:${port}` });
}

/**
 * Everything a page complains about: console errors (CSP violations are reported there), uncaught
 * exceptions, failed requests and HTTP errors of the app's own resources. A test asserts it stays empty.
 */
export class PageProblems {
  readonly list: string[] = [];

  constructor(page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.list.push(`console: ${m.text()} @ ${page.url()}`);
    });
    page.on('pageerror', (e) => this.list.push(`pageerror: ${e.message} @ ${page.url()}`));
    page.on('requestfailed', (r) => {
      // Aborted means the browser stopped waiting (a download, or leaving the page before the favicon
      // arrived); a request the server failed shows up as a console error with its status instead.
      if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
      this.list.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 500) this.list.push(`HTTP ${r.status()}: ${r.url()}`);
    });
  }

  /** Returns and clears what was collected (so an expected 4xx page can be looked at on its own). */
  take(): string[] {
    return this.list.splice(0);
  }
}

/** A fresh browser context (own cookies) with a page, its problems watched. */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  locale = 'zh-CN',
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, problems: new PageProblems(page) };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the sign-in page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.click('button[type=submit]'),
  ]);
}

/** Waits until every chart on the page has been drawn by charts.js. */
export async function chartsReady(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const canvases = [...document.querySelectorAll('canvas[data-chart]')];
    return canvases.every((c) => c.getAttribute('data-rendered') === 'true');
  });
}
