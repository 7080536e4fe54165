import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import {
  ARTIFACTS_DIR,
  chartsReady,
  launchBrowser,
  openPage,
  type PageProblems,
  screenshot,
  signIn,
  startServer,
} from '../support/browser';
import type { TestApp } from '../support/test-app';
import { ADMIN } from '../support/test-app';
import { dayNumber, withCheckChar } from '@app/compliance';
import { PASSWORD, seedWorld, tinyPdf, tinyPng, type WebWorld } from '../e2e/web-fixtures';
import { stillNeededZh } from '../support/still-needed';

const XSS = '<img src=x onerror=alert(1)>';
const UPLOAD_LIMIT = 200_000;

/** The verified count of a requirement as the page shows it: table cell, drawn chart, embedded config. */
async function verifiedOnUnitPage(page: Page, key: string) {
  return page.evaluate((k) => {
    const rows = [...document.querySelectorAll('[data-testid=requirements] tbody tr')];
    const index = rows.findIndex((r) => r.getAttribute('data-requirement') === k);
    const table = Number(rows[index].querySelector('[data-field=verified]')!.textContent);
    const canvas = document.querySelector('canvas[data-testid=chart-requirements]') as HTMLCanvasElement;
    const drawn = (
      window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: any } } }
    ).Chart.getChart(canvas)!.data;
    const embedded = JSON.parse(canvas.getAttribute('data-chart')!).data;
    const verifiedSet = (data: { datasets: { label: string; data: number[] }[] }) =>
      data.datasets.find((d) => d.label === '已核实' || d.label === 'Verified')!.data[index];
    const line = document.querySelector(`canvas[data-testid=chart-cumulative-${k}]`) as HTMLCanvasElement;
    const lineData = JSON.parse(line.getAttribute('data-chart')!).data.datasets[0].data as number[];
    return {
      table,
      chart: verifiedSet(drawn),
      embedded: verifiedSet(embedded),
      cumulative: lineData[lineData.length - 1],
    };
  }, key);
}

describe('browser (headless Chromium): a unit logs, a supervisor verifies, the numbers follow', () => {
  let s: TestApp & { baseUrl: string };
  let w: WebWorld;
  let browser: Browser;
  let activityId: number;
  const problems: PageProblems[] = [];
  /** SPEC §3 v2: "省级以上新闻媒体宣传还需 n 次，距 12 月 31 日还有 … 天" for unit A (a calendar-year period). */
  const mediaStillNeeded = (n: number) =>
    stillNeededZh(
      {
        remaining: n,
        remainingPending: 0,
        daysLeft: dayNumber(`${w.today.slice(0, 4)}-12-31`) - dayNumber(w.today),
        status: 'shortfall',
      },
      '省级以上新闻媒体宣传',
      '次',
      w.today,
    );

  beforeAll(async () => {
    s = await startServer({ UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) });
    w = await seedWorld(s);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });
  afterEach(() => {
    // No page of any step may log an error, fail a script or a request, or break the CSP.
    const found = problems.flatMap((p) => p.take());
    expect(found).toEqual([]);
  });

  it('a unit user signs in and logs a media report with a PDF, checked before and after upload', async () => {
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });

    await page.goto('/login');
    await screenshot(page, '01-login');
    await signIn(page, w.users.unitA, PASSWORD);
    expect(new URL(page.url()).pathname).toBe(`/units/${w.unitA.id}`);
    await chartsReady(page);
    expect(await verifiedOnUnitPage(page, 'media_reports')).toEqual({
      table: 0,
      chart: 0,
      embedded: 0,
      cumulative: 0,
    });
    await expect(page.locator('[data-testid=shortfalls]').textContent()).resolves.toContain(
      mediaStillNeeded(2),
    );
    await screenshot(page, '02-unit-home');

    await page.click('[data-testid=new-activity]');
    await page.selectOption('#requirement', 'media_reports');
    await expect(page.locator('fieldset[data-kind=media_reports]').isVisible()).resolves.toBe(true);
    await expect(page.locator('fieldset[data-kind=exchange_events]').isVisible()).resolves.toBe(false);
    await page.fill('#title', '南方日报专题报道示范项目建设');
    await page.fill('#media_reports-outlet', '南方日报');
    await page.selectOption('#media_reports-outletLevel', 'provincial');
    await page.fill('#media_reports-url', 'https://www.example.cn/news/2026/1');
    await screenshot(page, '03-activity-form');
    await Promise.all([
      page.waitForURL(/\/activities\/\d+\?done=created/),
      page.click('[data-testid=save-draft]'),
    ]);
    activityId = Number(/\/activities\/(\d+)/.exec(page.url())![1]);
    await expect(page.locator('[data-testid=flash]').textContent()).resolves.toContain('已保存为草稿');

    // Before upload: the browser refuses a wrong type and an oversized file, naming each.
    await page.setInputFiles('#files', [
      { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
      { name: '扫描件.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(UPLOAD_LIMIT + 1, 0x25) },
    ]);
    const before = await page.locator('[data-testid=upload-errors] li').allTextContents();
    expect(before).toEqual([
      expect.stringContaining('setup.exe」的类型不允许'),
      expect.stringContaining('扫描件.pdf」超过大小上限 195.3 KB'),
    ]);
    await expect(page.locator('[data-testid=upload]').isDisabled()).resolves.toBe(true);
    await screenshot(page, '04-upload-refused-before');

    // After upload: the server looks at the content, and its refusal is shown the same way.
    await page.setInputFiles('#files', {
      name: '伪装.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('not a pdf at all'),
    });
    await page.click('[data-testid=upload]');
    await expect(page.locator('[data-testid=upload-errors] li').first().textContent()).resolves.toContain(
      '伪装.pdf」的内容与扩展名不符',
    );
    p.take().forEach((m) => expect(m).toMatch(/status of 400/)); // the refused upload's 400 is expected
    await screenshot(page, '05-upload-refused-after');

    // Several files in one upload: the PDF and a photo.
    await page.setInputFiles('#files', [
      { name: '报道截图.pdf', mimeType: 'application/pdf', buffer: tinyPdf('Nanfang Daily') },
      { name: '现场照片.png', mimeType: 'image/png', buffer: tinyPng() },
    ]);
    await expect(page.locator('[data-testid=upload-errors] li').count()).resolves.toBe(0);
    await Promise.all([page.waitForURL(/done=uploaded/), page.click('[data-testid=upload]')]);
    await expect(
      page.locator('[data-testid=evidence-list] [data-testid=evidence-link]').allTextContents(),
    ).resolves.toEqual(['报道截图.pdf', '现场照片.png']);
    await Promise.all([page.waitForURL(/done=submitted/), page.click('[data-testid=submit]')]);
    await expect(page.locator('.badge').first().textContent()).resolves.toBe('待审核');
    await screenshot(page, '06-activity-submitted');

    // A hostile title is shown as text: no element is made of it and nothing runs.
    await page.goto('/activities/new?requirement=work_updates');
    await page.fill('#title', XSS);
    await page.fill('#work_updates-recipient', '"><script>alert(2)</script>');
    await Promise.all([page.waitForURL(/done=created/), page.click('[data-testid=save-draft]')]);
    await expect(page.locator('[data-testid=activity-title]').textContent()).resolves.toBe(XSS);
    await page.goto(`/units/${w.unitA.id}`);
    await expect(page.locator('[data-testid=activity-list]').textContent()).resolves.toContain(XSS);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await screenshot(page, '07-unit-with-activities');
    await page.context().close();
  });

  it('a supervisor sees the overview, views the PDF inline in the review queue and verifies it', async () => {
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, w.users.supGd, PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/overview');
    await chartsReady(page);
    const cell = page.locator(`tr[data-unit="${w.unitA.id}"] td[data-requirement=media_reports]`);
    await expect(cell.getAttribute('data-verified')).resolves.toBe('0');
    await screenshot(page, '08-overview');

    await page.click('a[href="/review"]');
    const item = page.locator(`article[data-activity="${activityId}"]`);
    await expect(item.textContent()).resolves.toContain('南方日报专题报道示范项目建设');
    await item.locator('details[data-viewer=pdf] summary').click();
    const frame = item.locator('iframe.viewer');
    await expect(frame.getAttribute('src')).resolves.toMatch(/^\/api\/v1\/evidence\/\d+\?inline=1$/);
    const pdf = await page.request.get((await frame.getAttribute('src'))!);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect(pdf.headers()['content-disposition']).toMatch(/^inline;/);
    await item.locator('details[data-viewer=image] summary').click();
    await expect(item.locator('img.viewer-img').getAttribute('alt')).resolves.toBe('现场照片.png');
    await page.waitForFunction(() => {
      const el = document.querySelector('img.viewer-img') as HTMLImageElement | null;
      return !!el && el.complete && el.naturalWidth === 4;
    });
    await page.waitForTimeout(1500); // the PDF viewer draws after load
    await screenshot(page, '09-review-queue-pdf-inline');

    await Promise.all([page.waitForURL(/done=verified/), page.click(`[data-testid=verify-${activityId}]`)]);
    await expect(page.locator('[data-testid=flash]').textContent()).resolves.toContain('已核实');
    await page.context().close();
  });

  it('the unit page then shows the new verified count in the table and in the chart data', async () => {
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, w.users.unitA, PASSWORD);
    await chartsReady(page);
    expect(await verifiedOnUnitPage(page, 'media_reports')).toEqual({
      table: 1,
      chart: 1,
      embedded: 1,
      cumulative: 1,
    });
    await expect(page.locator('[data-testid=shortfalls]').textContent()).resolves.toContain(
      mediaStillNeeded(1),
    );
    await screenshot(page, '10-unit-after-verify');

    // The language switch is remembered on the account.
    await Promise.all([
      page.waitForURL(`**/units/${w.unitA.id}`),
      page.click('[data-testid=lang-switch] button[value=en]'),
    ]);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.reload();
    await expect(page.locator('h2#standing').textContent()).resolves.toContain('This period');
    await chartsReady(page);
    await screenshot(page, '11-unit-english');

    await Promise.all([page.waitForURL('**/login'), page.click('[data-testid=sign-out]')]);
    await page.goto(`/units/${w.unitA.id}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
  });

  it('the overview export downloads an XLSX with the same numbers as the table', async () => {
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, w.users.supGd, PASSWORD);
    await chartsReady(page);
    const shown = await page.evaluate((unitId) => {
      const out: Record<string, number> = {};
      document.querySelectorAll(`tr[data-unit="${unitId}"] td[data-requirement]`).forEach((td) => {
        out[td.getAttribute('data-requirement')!] = Number(td.getAttribute('data-verified'));
      });
      return out;
    }, w.unitA.id);
    expect(shown.media_reports).toBe(1);
    const labels = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=overview-table] thead th')].map((th) =>
        th.textContent!.trim(),
      ),
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-overview-xlsx]'),
    ]);
    const file = join(ARTIFACTS_DIR, 'overview.xlsx');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    const row = [...Array(ws.rowCount - 1).keys()]
      .map((i) => ws.getRow(i + 2))
      .find((r) => r.getCell(1).value === w.unitA.name)!;
    const keys = Object.keys(shown);
    expect(keys).toHaveLength(6);
    // Requirement columns close the table (after the unit's own columns) in the file's order.
    const firstRequirement = labels.length - keys.length;
    keys.forEach((key, i) => {
      const col = headers.indexOf(`${labels[firstRequirement + i]}·已核实`) + 1;
      expect({ key, col: col > 0, value: row.getCell(col).value }).toEqual({
        key,
        col: true,
        value: shown[key],
      });
    });

    await page.goto(`/units/${w.unitA.id}/print`);
    await chartsReady(page);
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, '12-unit-print');
    await page.context().close();
  });

  it('another province’s supervisor gets a 404 page for the unit', async () => {
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, w.users.supBj, PASSWORD);
    const res = await page.goto(`/units/${w.unitA.id}`);
    expect(res!.status()).toBe(404);
    await expect(page.locator('[data-testid=error-message]').textContent()).resolves.toBe(
      '页面不存在或无权查看',
    );
    await expect(page.locator('body').textContent()).resolves.not.toContain(w.unitA.name);
    // The browser reports the 404 document itself; nothing else may fail.
    expect(p.take()).toEqual([expect.stringMatching(/status of 404/)]);
    await screenshot(page, '13-other-province-404');
    await page.context().close();
  });

  it('an administrator’s pages all load cleanly', async () => {
    const { page, problems: p } = await openPage(browser, s.baseUrl, 'en-US');
    problems.push(p);
    await signIn(page, ADMIN.email, ADMIN.password);
    // This administrator works in English: every page below is the English one.
    await Promise.all([
      page.waitForURL('**/overview'),
      page.click('[data-testid=lang-switch] button[value=en]'),
    ]);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    const pages: [string, string][] = [
      ['/overview', '14-admin-overview'],
      ['/review', '15-admin-review'],
      ['/admin/units', '16-admin-units'],
      [`/admin/units/${w.unitA.id}/edit`, '17-admin-unit-edit'],
      ['/admin/users', '18-admin-users'],
      ['/admin/users/new', '19-admin-user-new'],
      ['/admin/rule-sets', '20-admin-rule-sets'],
      ['/admin/outbox', '21-admin-outbox'],
      ['/admin/audit', '22-admin-audit'],
      [`/activities/${activityId}`, '23-admin-activity'],
    ];
    for (const [path, name] of pages) {
      const res = await page.goto(path);
      expect({ path, status: res!.status() }).toEqual({ path, status: 200 });
      await chartsReady(page);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
      await screenshot(page, name);
    }
    // Unit import from a file: a dry run reports every row, the real run creates the good ones.
    const year = Number(w.today.slice(0, 4));
    const good = withCheckChar('91320100MA1B00001');
    const csv = [
      '单位名称,统一社会信用代码,省份,行业,类型,建设周期开始,建设周期结束,联系人,联系邮箱',
      `南京市示范家政服务公司,${good},江苏,家政服务,企业,${year}/1/1,${year + 1}/12/31,孙七,sunqi@example.cn`,
      `坏数据公司,123,江苏,家政服务,企业,${year}-01-01,${year + 1}-12-31,,`,
    ].join('\n');
    await page.goto('/admin/units');
    await page.setInputFiles('[data-testid=import-file]', {
      name: '单位名单.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.click('[data-testid=import-submit]');
    const result = page.locator('[data-testid=import-result]');
    // The result replaces itself after each run, so wait for the text rather than read at once.
    await result.locator('p', { hasText: 'Dry run: 2 rows read, 1 valid, nothing imported.' }).waitFor();
    await expect(result.locator('tbody tr').count()).resolves.toBe(1);
    await expect(result.locator('tbody tr td').first().textContent()).resolves.toBe('3');
    await screenshot(page, '24-admin-import-dry-run');
    await page.uncheck('input[name=dryRun]');
    await page.click('[data-testid=import-submit]');
    await result.locator('p', { hasText: '2 rows read, 1 valid, 1 units imported.' }).waitFor();
    p.take().forEach((m) => expect(m).toMatch(/status of 4\d\d/));
    await page.goto(`/admin/units?q=${good}`);
    await expect(page.locator('[data-testid=unit-table] tbody').textContent()).resolves.toContain(
      '南京市示范家政服务公司',
    );

    // The user form shows the scope field of the chosen role only.
    await page.goto('/admin/users/new');
    await page.selectOption('#role', 'supervisor');
    await expect(page.locator('[data-for-role=supervisor]').isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-for-role=unit]').isVisible()).resolves.toBe(false);
    // Table headers sort.
    await page.goto('/admin/audit');
    await page.goto('/overview');
    await page.click('[data-testid=overview-table] thead th:nth-child(1)');
    await expect(
      page.locator('[data-testid=overview-table] thead th:nth-child(1)').getAttribute('aria-sort'),
    ).resolves.toBe('ascending');
    await page.context().close();
  });
});
