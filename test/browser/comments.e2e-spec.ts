import type { Browser, Page } from 'playwright-core';
import { OutboxWorker } from '@app/mail';
import {
  launchBrowser,
  openPage,
  type PageProblems,
  screenshot,
  signIn,
  startServer,
} from '../support/browser';
import { submitWithEvidence } from '../support/evidence';
import { startSmtp, type TestSmtpServer } from '../support/smtp';
import type { TestApp } from '../support/test-app';
import { PASSWORD, seedWorld, tinyPdf, type WebWorld } from '../e2e/web-fixtures';

/** A phone held upright: every part of the conversation must fit without scrolling sideways. */
const PHONE = { width: 390, height: 844 };

const TEXT = {
  zh: {
    body: '留言内容',
    file: '附件（可选）',
    post: '发表留言',
    reviewerSays: '请补充参会人员签到表<b>原件</b>',
    unitSays: '签到表已作为附件上传，请查收',
    changes: '请把活动地点写完整',
    subjectTo: (title: string, author: string) => `【活动留言】${title}（${author}）`,
    requestChanges: '要求修改',
    changesBadge: '要求修改',
  },
  en: {
    body: 'Your comment',
    file: 'Attachment (optional)',
    post: 'Post comment',
    reviewerSays: 'Please add the <b>original</b> sign-in sheet',
    unitSays: 'The sign-in sheet is attached',
    changes: 'Please give the full address',
    subjectTo: (title: string, author: string) => `New comment on ${title} (${author})`,
    requestChanges: 'Request changes',
    changesBadge: 'Changes requested',
  },
} as const;

describe('browser (headless Chromium): a conversation on an activity between reviewer and unit, with mails', () => {
  let smtp: TestSmtpServer;
  let s: TestApp & { baseUrl: string };
  let w: WebWorld;
  let browser: Browser;
  let worker: OutboxWorker;
  let unitToken: string;
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    s = await startServer({ SMTP_URL: smtp.url });
    w = await seedWorld(s);
    worker = s.app.get(OutboxWorker);
    unitToken = await s.login(w.users.unitA, PASSWORD);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await smtp?.close();
  });
  afterEach(() => {
    const found = problems.flatMap((p) => p.take());
    expect(found).toEqual([]);
  });

  const api = (token: string) => ({ authorization: `Bearer ${token}` });
  const submittedActivity = async (title: string) => {
    const res = await s.http
      .post('/api/v1/activities')
      .set(api(unitToken))
      .send({ requirement: 'exchange_events', date: w.today, title, location: '深圳会展中心' });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    expect((await submitWithEvidence(s.http, res.body.id, api(unitToken))).status).toBe(200);
    return res.body.id as number;
  };
  /** Sends what the outbox holds, then the mails to `email` whose subject is `subject`. */
  const deliveredTo = async (email: string, subject: string) => {
    await worker.processDue();
    return smtp.received.filter((m) => m.to.includes(email) && m.parsed.subject === subject);
  };
  /** What of the page's content sticks out to the right of a phone's screen (nothing, when it fits). */
  /** What sticks out of the phone's width, outside the boxes that scroll on their own (wide tables). */
  const overflowing = (page: Page) =>
    page.evaluate(() =>
      [...document.querySelectorAll('main *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
        .filter((el) => {
          for (let up = el.parentElement; up; up = up.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return false;
          }
          return true;
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${el.textContent?.slice(0, 40)}`)
        .slice(0, 5),
    );

  async function open(email: string, locale: 'zh' | 'en') {
    const o = await openPage(browser, s.baseUrl, locale === 'zh' ? 'zh-CN' : 'en-US');
    await o.page.setViewportSize(PHONE);
    problems.push(o.problems);
    await signIn(o.page, email, PASSWORD);
    return o;
  }

  async function post(page: Page, L: 'zh' | 'en', text: string, file?: { name: string; buffer: Buffer }) {
    // Found by their labels: the labels are tied to the fields.
    await page.getByLabel(TEXT[L].body, { exact: true }).fill(text);
    if (file) {
      await page.getByLabel(TEXT[L].file).setInputFiles({ ...file, mimeType: 'application/pdf' });
    }
    await Promise.all([
      page.waitForURL(/done=commented/),
      page.getByRole('button', { name: TEXT[L].post }).click(),
    ]);
  }

  for (const L of ['zh', 'en'] as const) {
    it(`${L}: the reviewer's comment reaches the unit (page and mail), the unit's reply reaches the reviewer`, async () => {
      for (const email of [w.users.supGd, w.users.unitA]) {
        const token = email === w.users.unitA ? unitToken : await s.login(email, PASSWORD);
        await s.http.patch('/api/v1/auth/me').set(api(token)).send({ locale: L }).expect(200);
      }
      const title = L === 'zh' ? '标准化经验交流会（留言）' : 'Exchange meeting (comments)';
      const id = await submittedActivity(title);

      // The reviewer writes first, with a file.
      const reviewer = await open(w.users.supGd, L);
      await reviewer.page.goto(`/activities/${id}`);
      expect(await reviewer.page.locator('[data-testid=no-comments]').count()).toBe(1);
      // A file the evidence rules refuse is stopped in the browser, naming it, before anything is sent.
      await reviewer.page.getByLabel(TEXT[L].body, { exact: true }).fill('x');
      await reviewer.page.getByLabel(TEXT[L].file).setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('plain text'),
      });
      await expect(reviewer.page.locator('[data-testid=comment-errors]').textContent()).resolves.toContain(
        'notes.txt',
      );
      await reviewer.page.getByLabel(TEXT[L].file).setInputFiles([]);
      await post(reviewer.page, L, TEXT[L].reviewerSays, { name: '要求.pdf', buffer: tinyPdf('ask') });
      const thread = reviewer.page.locator('[data-testid=comment-thread] li');
      await expect(thread.count()).resolves.toBe(1);
      await expect(thread.first().textContent()).resolves.toContain(TEXT[L].reviewerSays);
      expect(await overflowing(reviewer.page)).toEqual([]);
      await screenshot(reviewer.page, `comments-reviewer-${L}`);

      // The unit's user gets the mail, in their language, with the comment and a link to the activity.
      const toUnit = await deliveredTo(w.users.unitA, TEXT[L].subjectTo(title, 'sup-gd'));
      expect(toUnit).toHaveLength(1);
      expect(toUnit[0].parsed.text).toContain(TEXT[L].reviewerSays);
      expect(String(toUnit[0].parsed.html)).not.toContain('<b>');
      const link = /(https?:\/\/\S+\/activities\/\d+)/.exec(toUnit[0].parsed.text ?? '')![1];
      expect(new URL(link).pathname).toBe(`/activities/${id}`);

      // The unit follows the link, sees the comment and its file, and replies.
      const unit = await open(w.users.unitA, L);
      await unit.page.goto(new URL(link).pathname);
      await expect(unit.page.locator('[data-testid=comment-thread]').textContent()).resolves.toContain(
        TEXT[L].reviewerSays,
      );
      const href = await unit.page.locator('[data-testid=comment-attachment]').getAttribute('href');
      const file = await unit.page.request.get(href!);
      expect(file.status()).toBe(200);
      expect(file.headers()['content-type']).toBe('application/pdf');
      await post(unit.page, L, TEXT[L].unitSays);
      await expect(unit.page.locator('[data-testid=comment-thread] li').count()).resolves.toBe(2);
      expect(await overflowing(unit.page)).toEqual([]);
      await screenshot(unit.page, `comments-unit-${L}`);

      // The reviewer hears of the reply and sees it on the page.
      const toReviewer = await deliveredTo(w.users.supGd, TEXT[L].subjectTo(title, 'staff'));
      expect(toReviewer).toHaveLength(1);
      expect(toReviewer[0].parsed.text).toContain(TEXT[L].unitSays);
      // Neither side is sent its own comment.
      expect(await deliveredTo(w.users.unitA, TEXT[L].subjectTo(title, 'staff'))).toHaveLength(0);
      await reviewer.page.reload();
      await expect(reviewer.page.locator('[data-testid=comment-thread] li').count()).resolves.toBe(2);
      await expect(reviewer.page.locator('[data-testid=comment-thread]').textContent()).resolves.toContain(
        TEXT[L].unitSays,
      );

      // "Request changes" from the review queue: the count shows, and the activity goes back to the unit.
      await reviewer.page.goto('/review');
      await expect(
        reviewer.page.locator(`[data-testid=comment-count-${id}]`).textContent(),
      ).resolves.toContain('2');
      await reviewer.page.locator(`[data-testid=changes-${id}]`).fill(TEXT[L].changes);
      await Promise.all([
        reviewer.page.waitForURL(/done=changesRequested/),
        reviewer.page
          .locator(`[data-activity="${id}"]`)
          .getByRole('button', { name: TEXT[L].requestChanges })
          .click(),
      ]);
      expect(await overflowing(reviewer.page)).toEqual([]);
      await unit.page.goto(`/activities/${id}`);
      await expect(unit.page.locator('[data-testid=reject-reason]').textContent()).resolves.toContain(
        TEXT[L].changes,
      );
      // Editable again, and the request is in the thread.
      expect(await unit.page.locator('[data-testid=activity-form]').count()).toBe(1);
      await expect(unit.page.locator('[data-testid=comment-thread] li').count()).resolves.toBe(3);
      await expect(
        unit.page.locator('[data-testid=comment-thread] li').last().textContent(),
      ).resolves.toContain(TEXT[L].changesBadge);
      await reviewer.context.close();
      await unit.context.close();
    });
  }
});
