import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import yauzl from 'yauzl';
import {
  launchBrowser,
  openPage,
  type PageProblems,
  screenshot,
  signIn,
  startServer,
} from '../support/browser';
import type { TestApp } from '../support/test-app';
import { PASSWORD, seedWorld, tinyPng, type WebWorld } from '../e2e/web-fixtures';

/** Entry names of a zip file. */
function entryNames(zip: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err ?? new Error('no zip'));
      const names: string[] = [];
      file.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        file.readEntry();
      });
      file.on('end', () => resolve(names));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

describe('browser (headless Chromium): the acceptance pack from the unit page', () => {
  let s: TestApp & { baseUrl: string };
  let w: WebWorld;
  let browser: Browser;
  let problems: PageProblems | undefined;

  beforeAll(async () => {
    s = await startServer();
    w = await seedWorld(s);
    browser = await launchBrowser();
    const token = await s.login(w.users.unitA, PASSWORD);
    const created = await s.http
      .post('/api/v1/activities')
      .set({ authorization: `Bearer ${token}` })
      .send({
        requirement: 'exchange_events',
        date: w.today,
        title: '标准化观摩活动',
        location: '深圳市',
        participants: 30,
      });
    expect(created.status).toBe(201);
    const up = await s.http
      .post(`/api/v1/activities/${created.body.id}/evidence`)
      .set({ authorization: `Bearer ${token}` })
      .attach('files', tinyPng(), '现场照片.png');
    expect(up.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });
  afterEach(() => expect(problems?.take() ?? []).toEqual([]));

  it('the button fetches the pack with a progress line (no CSP complaint) and saves the zip', async () => {
    const opened = await openPage(browser, s.baseUrl);
    problems = opened.problems;
    const { page, context } = opened;
    await signIn(page, w.users.unitA, PASSWORD);
    await page.goto(`/units/${w.unitA.id}`);
    const link = page.locator('[data-testid=acceptance-pack]');
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(
      /^验收材料包-深圳市示范物流有限公司-\d{4}-\d{2}-\d{2}\.zip$/,
    );
    const status = page.locator('#pack-status');
    await status.getByText('验收材料包已下载').waitFor();
    const zip = readFileSync((await download.path())!);
    const names = await entryNames(zip);
    expect(names).toContain('自我评价报告.docx');
    expect(names.some((n) => n.startsWith('证明材料/未核实/') && n.endsWith('/现场照片.png'))).toBe(true);
    expect(names.at(-1)).toBe('manifest.json');
    await screenshot(page, 'acceptance-pack-done');
    await context.close();
  });
});
