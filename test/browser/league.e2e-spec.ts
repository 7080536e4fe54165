import type { Browser, Page } from 'playwright-core';
import {
  chartsReady,
  launchBrowser,
  openPage,
  type PageProblems,
  screenshot,
  signIn,
  startServer,
} from '../support/browser';
import type { TestApp } from '../support/test-app';
import { PASSWORD, seedWorld, type WebWorld } from '../e2e/web-fixtures';

/** The league table as the page shows it, and the share the drawn chart holds for each row. */
async function leagueOnPage(page: Page) {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll('[data-testid=league-table] tbody tr')];
    const canvas = document.querySelector('canvas[data-testid=chart-league]') as HTMLCanvasElement;
    const drawn = (
      window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: any } } }
    ).Chart.getChart(canvas)!.data;
    return {
      rows: rows.map((r) => ({
        kind: r.getAttribute('data-kind'),
        name: r.querySelector('th')!.textContent!.trim(),
        units: Number(r.querySelector('[data-field=units]')!.textContent),
        allMet: r.querySelector('[data-field=allMet]')!.textContent!.trim(),
      })),
      chart: (drawn.datasets[0].data as number[]).map(String),
      inWrap: !!document.querySelector('.table-wrap > [data-testid=league-table]'),
    };
  });
}

describe('browser (headless Chromium): the overview league tab', () => {
  let s: TestApp & { baseUrl: string };
  let w: WebWorld;
  let browser: Browser;
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    s = await startServer();
    w = await seedWorld(s);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });
  afterEach(() => {
    expect(problems.flatMap((p) => p.take())).toEqual([]);
  });

  it('a supervisor opens the league from the overview, switches grouping, sorts and reads it in English', async () => {
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, w.users.supGd, PASSWORD);
    await page.goto('/overview');
    await page.click('[data-testid=league-link]');
    expect(new URL(page.url()).pathname).toBe('/overview/league');
    await chartsReady(page);
    let shown = await leagueOnPage(page);
    expect(shown.inWrap).toBe(true);
    // Guangdong apart, Beijing only inside the aggregates; no unit name anywhere.
    expect(shown.rows.map((r) => [r.kind, r.name, r.units])).toEqual([
      ['group', '广东省', 1],
      ['others', '其他省份（合计）', 1],
      ['national', '全国', 2],
    ]);
    expect(shown.chart).toEqual(shown.rows.map((r) => r.allMet.replace('%', '')));
    const text = await page.textContent('main');
    expect(text).not.toContain(w.unitA.name);
    expect(text).not.toContain(w.unitB.name);
    await screenshot(page, 'league-province-zh');

    await page.click('[data-by=industry]');
    await chartsReady(page);
    shown = await leagueOnPage(page);
    expect(shown.rows.map((r) => [r.kind, r.name])).toEqual([
      ['group', '现代物流'],
      ['others', '其他省份（合计）'],
      ['national', '全国'],
    ]);
    await page.click('[data-sort-link=units]');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('units');
    expect(new URL(page.url()).searchParams.get('by')).toBe('industry');

    await Promise.all([page.waitForNavigation(), page.click('[data-testid=lang-switch] button[value=en]')]);
    await chartsReady(page);
    expect(await page.textContent('h1')).toBe('League tables');
    shown = await leagueOnPage(page);
    expect(shown.rows.map((r) => r.name)).toEqual(['现代物流', 'Other provinces (together)', 'National']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-league-csv]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^league-\d{4}-industry\.csv$/);
    await screenshot(page, 'league-industry-en');
  });
});
