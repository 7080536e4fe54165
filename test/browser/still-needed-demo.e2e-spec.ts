import { ModuleRef } from '@nestjs/core';
import type { Browser } from 'playwright-core';
import { DemoSeedService, type DemoSeedSummary } from '../../apps/tracker/src/demo/demo-seed.service';
import {
  chartsReady,
  launchBrowser,
  openPage,
  type PageProblems,
  screenshot,
  signIn,
  startServer,
} from '../support/browser';
import { ADMIN, type TestApp } from '../support/test-app';
import { STATUS_ZH, stillNeededZh } from '../support/still-needed';

/*
 * Acceptance of SPEC §3 v2 on the demonstration data, the page half (the mail half is
 * test/e2e/still-needed-demo.e2e-spec.ts): on 1 December a unit with 0 of 1 national papers is behind
 * pace (pace = (2 × 1 × 335 + 365) div 730 = 1), so the overview colours it shortfall or at risk, never
 * on track, and says "国家级刊物论文还需 1 篇…" in the cell's tooltip, in the row's 还需 column and on
 * the unit's page.
 */

const TODAY = '2026-12-01';
const BEHIND = ['shortfall', 'at_risk'];

interface Cell {
  verified: number;
  minimum: number;
  remaining: number;
  remainingPending: number;
  daysLeft: number;
  status: string;
}

describe('browser: the demo overview on 1 December shows missing national papers as behind and still needed', () => {
  let s: TestApp & { baseUrl: string };
  let browser: Browser;
  let seeded: DemoSeedSummary;
  let paperless: { unit: { id: number; name: string }; papers: Cell }[];
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    s = await startServer({}, { today: TODAY });
    seeded = await (await s.app.get(ModuleRef).create(DemoSeedService)).seed({ province: '44', units: 20 });
    const admin = await s.login(ADMIN.email, ADMIN.password);
    const scope = await s.http
      .get('/api/v1/compliance?province=44&pageSize=100')
      .set('authorization', `Bearer ${admin}`);
    paperless = (
      scope.body.rows as { unit: { id: number; name: string }; requirements: Record<string, Cell> }[]
    )
      .map((r) => ({ unit: r.unit, papers: r.requirements.national_papers }))
      .filter((r) => r.papers?.minimum === 1 && r.papers.verified === 0);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });
  afterEach(() => {
    expect(problems.flatMap((p) => p.take())).toEqual([]);
  });

  it('the overview: such a unit’s papers cell is behind pace, with the still-needed line in its tooltip and row', async () => {
    expect(seeded.today).toBe(TODAY);
    expect(paperless.length).toBeGreaterThan(0);
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    await signIn(page, seeded.supervisor.email, seeded.password);
    expect(new URL(page.url()).pathname).toBe('/overview');
    await chartsReady(page);
    for (const { unit, papers } of paperless) {
      const line = stillNeededZh(papers, '国家级刊物论文', '篇', TODAY);
      expect(line).toMatch(/^国家级刊物论文还需 1 篇(（1 篇待审核）)?，距 12 月 31 日还有 30 天$/);
      const cell = page.locator(`tr[data-unit="${unit.id}"] td[data-requirement=national_papers]`);
      const shown = await cell.evaluate((td) => ({
        status: [...td.classList].find((c) => c.startsWith('status-'))!.slice('status-'.length),
        text: td.textContent!.trim(),
        title: td.getAttribute('title')!,
      }));
      expect({ unit: unit.name, behind: BEHIND.includes(shown.status) }).toEqual({
        unit: unit.name,
        behind: true,
      });
      expect(shown.status).toBe(papers.status);
      expect(shown.text).toMatch(/^0\/1/);
      expect(shown.title).toContain(`国家级刊物论文：${STATUS_ZH[papers.status]}`);
      expect(shown.title).toContain(line);
      expect(shown.title).not.toContain('进度正常');

      const item = page.locator(
        `tr[data-still-needed-for="${unit.id}"] [data-testid=still-needed] li[data-requirement=national_papers]`,
      );
      await expect(item.textContent()).resolves.toBe(line);
      await expect(item.getAttribute('data-status')).resolves.toBe(papers.status);
      await expect(item.isVisible()).resolves.toBe(true);
    }
    await page
      .locator(`tr[data-unit="${paperless[0].unit.id}"] td[data-requirement=national_papers]`)
      .hover();
    await screenshot(page, '30-demo-overview-still-needed');

    // Sorting by a column keeps each still-needed line right under its unit's row.
    const underItsRow = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('tr[data-still-needed-for]')].every(
          (tr) =>
            tr.previousElementSibling?.getAttribute('data-unit') === tr.getAttribute('data-still-needed-for'),
        ),
      );
    await expect(underItsRow()).resolves.toBe(true);
    const first = () =>
      page.locator('[data-testid=overview-table] tbody tr').first().getAttribute('data-unit');
    const before = await first();
    await page.click('[data-testid=overview-table] thead th:nth-child(1)');
    await page.click('[data-testid=overview-table] thead th:nth-child(1)');
    await expect(
      page.locator('[data-testid=overview-table] thead th:nth-child(1)').getAttribute('aria-sort'),
    ).resolves.toBe('descending');
    await expect(underItsRow()).resolves.toBe(true);
    expect(await first()).not.toBe(before); // the rows did move
    await expect(page.locator('tr[data-still-needed-for]').count()).resolves.toBe(
      await page
        .locator('tr[data-unit]')
        .evaluateAll((trs) => trs.filter((tr) => tr.classList.contains('has-detail')).length),
    );
    await page.context().close();
  });

  it('the unit’s own page lists the papers as still needed, behind pace, and its mail preview says the same', async () => {
    const { unit, papers } = paperless[0];
    const { page, problems: p } = await openPage(browser, s.baseUrl);
    problems.push(p);
    const own = seeded.units.find((u) => u.id === unit.id)!;
    await signIn(page, own.email, seeded.password);
    expect(new URL(page.url()).pathname).toBe(`/units/${unit.id}`);
    await chartsReady(page);
    const line = stillNeededZh(papers, '国家级刊物论文', '篇', TODAY);
    const item = page.locator('[data-testid=shortfalls] li[data-requirement=national_papers]');
    await expect(item.textContent()).resolves.toBe(`${STATUS_ZH[papers.status]} ${line}`);
    await expect(
      page
        .locator('[data-testid=requirements] tr[data-requirement=national_papers] [data-status]')
        .getAttribute('data-status'),
    ).resolves.toBe(papers.status);
    await expect(page.locator('[data-testid=all-met]').count()).resolves.toBe(0);
    await screenshot(page, '31-demo-unit-still-needed');

    const preview = await page.request.get(`/api/v1/reports/units/${unit.id}?period=2026-12`);
    expect(preview.status()).toBe(200);
    const html = await preview.text();
    expect(html).toContain(line);
    expect(html).not.toContain('目前没有进度不足的任务');
    await page.context().close();
  });
});
