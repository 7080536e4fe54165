import type { Browser, Page } from 'playwright-core';
import { Activity, EvidenceFile, User } from '@app/db';
import { launchBrowser, openPage, type PageProblems, signIn, startServer } from '../support/browser';
import type { TestApp } from '../support/test-app';
import { PASSWORD, seedWorld, tinyPdf, type WebWorld } from '../e2e/web-fixtures';

/** The ways a unit could lose evidence or typed work between the form and the upload widget. */
describe('browser (headless Chromium): evidence and typed values are not lost on the way to review', () => {
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
  afterEach(() => expect(problems.flatMap((p) => p.take())).toEqual([]));

  const unitPage = async (locale = 'zh-CN') => {
    const { context, page, problems: p } = await openPage(browser, s.baseUrl, locale);
    problems.push(p);
    await signIn(page, w.users.unitA, PASSWORD);
    return { context, page };
  };
  const newDraft = async (page: Page, title: string) => {
    await page.goto('/activities/new');
    await page.selectOption('#requirement', 'exchange_events');
    await page.fill('#title', title);
    await page.fill('#exchange_events-location', '广州');
    await Promise.all([page.waitForURL(/done=created/), page.click('[data-testid=save-draft]')]);
    return Number(/\/activities\/(\d+)/.exec(page.url())![1]);
  };
  const activity = (id: number) => s.orm.em.fork().findOneOrFail(Activity, id);
  const files = (id: number) =>
    s.orm.em.fork().find(EvidenceFile, { activity: id, deletedAt: null }, { orderBy: { id: 'asc' } });

  it('"save and submit" on the new form keeps a draft and says evidence comes first (zh and en)', async () => {
    for (const [locale, text] of [
      ['zh-CN', '须先上传证明材料'],
      ['en-US', 'needs evidence first'],
    ]) {
      await s.orm.em
        .fork()
        .nativeUpdate(User, { email: w.users.unitA }, { locale: locale === 'en-US' ? 'en' : 'zh' });
      const { context, page } = await unitPage(locale);
      await page.goto('/activities/new');
      await page.selectOption('#requirement', 'exchange_events');
      await page.fill('#title', `现场观摩 ${locale}`);
      await page.fill('#exchange_events-location', '深圳');
      await Promise.all([
        page.waitForURL(/done=savedNeedsEvidence/),
        page.click('button[name=action][value=submit]'),
      ]);
      await expect(page.locator('[data-testid=flash]').textContent()).resolves.toContain(text);
      const id = Number(/\/activities\/(\d+)/.exec(page.url())![1]);
      expect((await activity(id)).status).toBe('draft');
      await context.close();
    }
    await s.orm.em.fork().nativeUpdate(User, { email: w.users.unitA }, { locale: 'zh' });
  });

  it('a file chosen but not uploaded goes up with "submit for review"', async () => {
    const { context, page } = await unitPage();
    const id = await newDraft(page, '未点上传的交流会');
    await page.setInputFiles('#files', {
      name: '签到表.pdf',
      mimeType: 'application/pdf',
      buffer: tinyPdf(),
    });
    await Promise.all([page.waitForURL(/done=submitted/), page.click('[data-testid=submit]')]);
    expect((await activity(id)).status).toBe('submitted');
    expect((await files(id)).map((f) => f.originalName)).toEqual(['签到表.pdf']);
    // Waiting for review, a forgotten file can still be added.
    await page.setInputFiles('#files', {
      name: '补充照片.pdf',
      mimeType: 'application/pdf',
      buffer: tinyPdf('2'),
    });
    await Promise.all([page.waitForURL(/done=uploaded/), page.click('[data-testid=upload]')]);
    expect((await files(id)).map((f) => f.originalName)).toEqual(['签到表.pdf', '补充照片.pdf']);
    await context.close();
  });

  it('a refused chosen file blocks the submit with its reason; nothing is submitted', async () => {
    const { context, page } = await unitPage();
    const id = await newDraft(page, '文件被拒的交流会');
    await page.setInputFiles('#files', {
      name: '伪装.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('no pdf'),
    });
    await page.click('[data-testid=submit]');
    await expect(page.locator('[data-testid=upload-errors] li').first().textContent()).resolves.toContain(
      '伪装.pdf',
    );
    problems
      .at(-1)!
      .take()
      .forEach((m) => expect(m).toMatch(/status of 400/)); // the refused upload's 400
    expect((await activity(id)).status).toBe('draft');
    // Without a file at all, the server refuses the submit and says why, next to the upload field.
    await page.setInputFiles('#files', []);
    await page.click('[data-testid=submit]');
    await expect(page.locator('[data-error-for=evidence]').textContent()).resolves.toContain('证明材料');
    problems
      .at(-1)!
      .take()
      .forEach((m) => expect(m).toMatch(/status of 400/)); // the refused submit's page
    expect((await activity(id)).status).toBe('draft');
    await context.close();
  });

  it('unsaved edits are saved with an upload instead of lost by it', async () => {
    const { context, page } = await unitPage();
    const id = await newDraft(page, '改名前');
    await page.fill('#title', '改名后的交流会');
    await page.setInputFiles('#files', { name: '议程.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    await Promise.all([page.waitForURL(/done=saved/), page.click('[data-testid=upload]')]);
    expect((await activity(id)).title).toBe('改名后的交流会');
    await expect(page.locator('#title').inputValue()).resolves.toBe('改名后的交流会');
    expect((await files(id)).map((f) => f.originalName)).toEqual(['议程.pdf']);
    await context.close();
  });

  it('after the session expires, signing in again returns to the form with what was typed', async () => {
    const { context, page } = await unitPage();
    const id = await newDraft(page, '会话过期前');
    await page.fill('#title', '会话过期时正在填写的标题');
    await page.fill('#description', '一段很长的说明，不应丢失。');
    await context.clearCookies(); // the session is gone (expired or signed out elsewhere)
    await Promise.all([page.waitForURL(/\/login/), page.click('[data-testid=save]')]);
    await page.fill('#email', w.users.unitA);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(new RegExp(`/activities/${id}$`)), page.click('button[type=submit]')]);
    await expect(page.locator('[data-testid=draft-restored]').isVisible()).resolves.toBe(true);
    await expect(page.locator('#title').inputValue()).resolves.toBe('会话过期时正在填写的标题');
    await expect(page.locator('#description').inputValue()).resolves.toBe('一段很长的说明，不应丢失。');
    expect((await activity(id)).title).toBe('会话过期前');
    await Promise.all([page.waitForURL(/done=saved/), page.click('[data-testid=save]')]);
    expect((await activity(id)).title).toBe('会话过期时正在填写的标题');
    // Saved: the kept copy is gone, so a later visit shows the stored values without a notice.
    await page.goto(`/activities/${id}`);
    await expect(page.locator('[data-testid=draft-restored]').count()).resolves.toBe(0);
    await context.close();
  });
});
