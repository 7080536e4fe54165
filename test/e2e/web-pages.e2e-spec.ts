import ExcelJS from 'exceljs';
import type request from 'supertest';
import { Activity } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { STATUS_ZH, stillNeededZh } from '../support/still-needed';
import { csrfOf, PASSWORD, pageLogin, seedWorld, tinyPdf, type WebWorld } from './web-fixtures';

type Agent = ReturnType<typeof request.agent>;

const XSS = '<img src=x onerror=alert(1)>';

describe('web pages: scope, forms, review, exports, escaping, both languages', () => {
  let t: TestApp;
  let w: WebWorld;
  let unitUser: Agent;
  let supGd: Agent;
  let supBj: Agent;
  let admin: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    w = await seedWorld(t);
    unitUser = await pageLogin(t, w.users.unitA, PASSWORD);
    supGd = await pageLogin(t, w.users.supGd, PASSWORD);
    supBj = await pageLogin(t, w.users.supBj, PASSWORD);
    admin = await pageLogin(t, ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  const csrf = async (agent: Agent) => csrfOf((await agent.get(`/units/${w.unitA.id}`)).text);
  /**
   * "Save and submit" on the new form, which has no files yet: the activity is kept as a draft and its
   * page says evidence comes first; the file is uploaded there and the activity submitted.
   */
  const submittedAfterUpload = async (created: request.Response, token: string): Promise<number> => {
    expect(created.status).toBe(303);
    expect(created.headers.location).toMatch(/^\/activities\/\d+\?done=savedNeedsEvidence$/);
    const id = Number(/\/activities\/(\d+)/.exec(created.headers.location)![1]);
    expect((await unitUser.get(created.headers.location)).text).toContain('须先上传证明材料');
    expect((await t.orm.em.fork().findOneOrFail(Activity, id)).status).toBe('draft');
    await unitUser
      .post(`/api/v1/activities/${id}/evidence`)
      .set('x-csrf-token', token)
      .attach('files', tinyPdf(), '现场照片.pdf')
      .expect(201);
    await unitUser.post(`/api/v1/activities/${id}/submit`).set('x-csrf-token', token).expect(200);
    return id;
  };
  /** Unit A's media_reports figures from the compliance API, with the day they are for. */
  const mediaFigures = async () => {
    const res = await t.http
      .get(`/api/v1/units/${w.unitA.id}/compliance`)
      .set('authorization', `Bearer ${w.adminToken}`);
    const r = (
      res.body.requirements as {
        key: string;
        remaining: number;
        remainingPending: number;
        daysLeft: number;
        status: string;
      }[]
    ).find((x) => x.key === 'media_reports')!;
    return { ...r, today: res.body.today as string };
  };

  it('lands each role on its start page', async () => {
    expect((await unitUser.get('/')).headers.location).toBe(`/units/${w.unitA.id}`);
    expect((await supGd.get('/')).headers.location).toBe('/overview');
    expect((await admin.get('/')).headers.location).toBe('/overview');
  });

  it('keeps units out of other scopes: 404 page, not the unit', async () => {
    const own = await unitUser.get(`/units/${w.unitA.id}`);
    expect(own.status).toBe(200);
    expect(own.text).toContain(w.unitA.name);

    for (const [agent, id] of [
      [unitUser, w.unitB.id],
      [supBj, w.unitA.id],
      [supGd, w.unitB.id],
    ] as const) {
      const res = await agent.get(`/units/${id}`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).not.toContain(id === w.unitA.id ? w.unitA.name : w.unitB.name);
      expect((await agent.get(`/units/${id}/activities.xlsx`)).status).toBe(404);
      expect((await agent.get(`/units/${id}/print`)).status).toBe(404);
    }
    expect((await supGd.get(`/units/${w.unitA.id}`)).status).toBe(200);
    expect((await unitUser.get('/units/abc')).status).toBe(400);
    // Pages of other roles are refused with a page too.
    expect((await unitUser.get('/overview')).status).toBe(403);
    expect((await unitUser.get('/review')).status).toBe(403);
    expect((await supGd.get('/activities/new')).status).toBe(403);
    const overview = await supBj.get('/overview');
    expect(overview.text).toContain(w.unitB.name);
    expect(overview.text).not.toContain(w.unitA.name);
    expect((await supBj.get('/overview?province=44')).status).toBe(404);
  });

  it('logs an activity through the form: field errors, draft, submit, reject with reason, resubmit', async () => {
    const token = await csrf(unitUser);
    const form = await unitUser.get('/activities/new?requirement=media_reports');
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="outletLevel"');

    const bad = await unitUser
      .post('/activities')
      .type('form')
      .send({ _csrf: token, requirement: 'media_reports', date: '2026-02-30', title: '', action: 'save' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/data-error-for="date"/);
    expect(bad.text).toMatch(/data-error-for="title"/);
    expect(await t.orm.em.fork().count(Activity, {})).toBe(0);

    const missing = await unitUser.post('/activities').type('form').send({
      _csrf: token,
      requirement: 'media_reports',
      date: w.today,
      title: '报道',
      outlet: '南方日报',
      action: 'save',
    });
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(/data-error-for="outletLevel"/);
    expect(missing.text).toContain('value="南方日报"');

    const noCsrf = await unitUser.post('/activities').type('form').send({
      requirement: 'media_reports',
      date: w.today,
      title: 'x',
      outlet: 'y',
      outletLevel: 'provincial',
    });
    expect(noCsrf.status).toBe(403);

    const ok = await unitUser.post('/activities').type('form').send({
      _csrf: token,
      requirement: 'media_reports',
      date: w.today,
      title: '南方日报报道示范项目',
      outlet: '南方日报',
      outletLevel: 'provincial',
      url: 'https://www.example.cn/news/1',
      // A field of another kind, hidden on the page, is ignored rather than refused.
      journal: 'ignored',
      action: 'save',
    });
    expect(ok.status).toBe(303);
    const id = Number(/\/activities\/(\d+)/.exec(ok.headers.location)![1]);
    const draft = await unitUser.get(ok.headers.location);
    expect(draft.text).toContain('已保存为草稿');
    expect(draft.text).toContain('data-upload');

    const upload = await unitUser
      .post(`/api/v1/activities/${id}/evidence`)
      .set('x-csrf-token', token)
      .attach('files', tinyPdf(), '报道截图.pdf');
    expect(upload.status).toBe(201);

    const submitted = await unitUser.post(`/activities/${id}`).type('form').send({
      _csrf: token,
      requirement: 'media_reports',
      date: w.today,
      title: '南方日报报道示范项目',
      outlet: '南方日报',
      outletLevel: 'provincial',
      url: '',
      action: 'submit',
    });
    expect(submitted.status).toBe(303);
    const a1 = await t.orm.em.fork().findOneOrFail(Activity, id);
    expect(a1.status).toBe('submitted');
    expect(a1.url).toBeNull();

    const queue = await supGd.get('/review');
    expect(queue.text).toContain('南方日报报道示范项目');
    expect(queue.text).toContain('报道截图.pdf');
    const supToken = csrfOf(queue.text);
    const reject = await supGd
      .post(`/review/${id}/reject`)
      .type('form')
      .send({ _csrf: supToken, reason: '请补充报道链接', next: '/review' });
    expect(reject.status).toBe(303);
    expect(reject.headers.location).toBe('/review?done=rejected');

    const rejected = await unitUser.get(`/activities/${id}`);
    expect(rejected.text).toContain('请补充报道链接');
    expect(rejected.text).toContain('修改后重新提交');
    const resubmit = await unitUser.post(`/activities/${id}`).type('form').send({
      _csrf: token,
      requirement: 'media_reports',
      date: w.today,
      title: '南方日报报道示范项目',
      outlet: '南方日报',
      outletLevel: 'provincial',
      url: 'https://www.example.cn/news/1',
      action: 'submit',
    });
    expect(resubmit.status).toBe(303);
    const a2 = await t.orm.em.fork().findOneOrFail(Activity, id);
    expect(a2.status).toBe('submitted');
    expect(a2.rejectReason).toBeNull();

    // A supervisor of another province cannot review it (404 page), Guangdong's can.
    const other = await supBj
      .post(`/review/${id}/verify`)
      .type('form')
      .send({ _csrf: csrfOf((await supBj.get('/review')).text) });
    expect(other.status).toBe(404);
    const verify = await supGd
      .post(`/review/${id}/verify`)
      .type('form')
      .send({ _csrf: supToken, next: `/activities/${id}` });
    expect(verify.status).toBe(303);
    expect((await t.orm.em.fork().findOneOrFail(Activity, id)).status).toBe('verified');

    const page = await unitUser.get(`/units/${w.unitA.id}`);
    const row = /<tr data-requirement="media_reports"[\s\S]*?<\/tr>/.exec(page.text)![0];
    expect(row).toMatch(/data-field="verified">1</);
    // SPEC §3 v2: still needed, pending among them, days left: the API's figures in the page's words.
    const media = await mediaFigures();
    expect(media.remaining).toBe(1);
    expect(page.text).toContain(stillNeededZh(media, '省级以上新闻媒体宣传', '次', media.today));
  });

  it('removes an evidence file of a draft from its page, and only through its own activity', async () => {
    const token = await csrf(unitUser);
    const res = await unitUser.post('/activities').type('form').send({
      _csrf: token,
      requirement: 'national_papers',
      date: w.today,
      title: '论文',
      journal: '标准科学',
      journalLevel: 'national',
      action: 'save',
    });
    const id = Number(/\/activities\/(\d+)/.exec(res.headers.location)![1]);
    const up = await unitUser
      .post(`/api/v1/activities/${id}/evidence`)
      .set('x-csrf-token', token)
      .attach('files', tinyPdf('paper'), '论文.pdf');
    const fileId = up.body[0].id as number;
    expect((await unitUser.get(`/activities/${id}`)).text).toContain('论文.pdf');
    const other = await unitUser
      .post(`/activities/${id + 1000}/evidence/${fileId}/delete`)
      .type('form')
      .send({ _csrf: token });
    expect(other.status).toBe(404);
    const del = await unitUser
      .post(`/activities/${id}/evidence/${fileId}/delete`)
      .type('form')
      .send({ _csrf: token });
    expect(del.status).toBe(303);
    const page = await unitUser.get(del.headers.location);
    expect(page.text).toContain('证明材料已删除');
    expect(page.text).not.toContain('论文.pdf');
    const gone = await unitUser.post(`/activities/${id}/delete`).type('form').send({ _csrf: token });
    expect(gone.status).toBe(303);
    expect(gone.headers.location).toBe(`/units/${w.unitA.id}?done=deleted`);
    expect((await t.orm.em.fork().findOneOrFail(Activity, id)).deletedAt).not.toBeNull();
  });

  it('reviews several at once and reports what could not be done', async () => {
    const token = await csrf(unitUser);
    const ids: number[] = [];
    for (const title of ['交流会一', '交流会二']) {
      const res = await unitUser.post('/activities').type('form').send({
        _csrf: token,
        requirement: 'exchange_events',
        date: w.today,
        title,
        location: '深圳',
        action: 'submit',
      });
      ids.push(await submittedAfterUpload(res, token));
    }
    const supToken = csrfOf((await supGd.get('/review')).text);
    const noReason = await supGd
      .post('/review/bulk')
      .type('form')
      .send({ _csrf: supToken, ids: ids.map(String), action: 'reject' });
    expect(noReason.status).toBe(400);
    const res = await supGd
      .post('/review/bulk')
      .type('form')
      .send({ _csrf: supToken, ids: [...ids.map(String), '999999'], action: 'verify', next: '/review' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/review?ok=2&failed=1');
    expect((await supGd.get(res.headers.location)).text).toContain('成功 2 项，未能处理 1 项');
    const em = t.orm.em.fork();
    for (const id of ids) expect((await em.findOneOrFail(Activity, id)).status).toBe('verified');
  });

  it('shows a hostile title as text everywhere', async () => {
    const token = await csrf(unitUser);
    const res = await unitUser.post('/activities').type('form').send({
      _csrf: token,
      requirement: 'work_updates',
      date: w.today,
      title: XSS,
      recipient: `"><script>x</script>`,
      action: 'submit',
    });
    const id = String(await submittedAfterUpload(res, token));
    for (const [agent, path] of [
      [unitUser, `/units/${w.unitA.id}`],
      [unitUser, `/activities/${id}`],
      [unitUser, `/units/${w.unitA.id}/print`],
      [supGd, '/review'],
    ] as const) {
      const page = await agent.get(path);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(XSS);
      expect(page.text).not.toContain('<script>x</script>');
      expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('exports the overview as XLSX and CSV with the page’s numbers and formula cells neutralised', async () => {
    const token = await csrf(unitUser);
    await unitUser.post('/activities').type('form').send({
      _csrf: token,
      requirement: 'work_updates',
      date: w.today,
      title: '=HYPERLINK("http://evil")',
      recipient: '+市局',
      action: 'save',
    });

    const page = await supGd.get('/overview');
    const cell = /<td class="num status-[a-z_]+" data-requirement="media_reports" data-verified="(\d+)"/.exec(
      page.text,
    );
    expect(cell![1]).toBe('1');
    // The overview says what is still needed: in the cell's tooltip and in the row's "还需" column.
    const media = await mediaFigures();
    const line = stillNeededZh(media, '省级以上新闻媒体宣传', '次', media.today);
    const td = /<td class="num status-[a-z_]+" data-requirement="media_reports"[^>]*title="([^"]*)"/.exec(
      page.text,
    )!;
    expect(td[1]).toContain(`省级以上新闻媒体宣传：${STATUS_ZH[media.status]}`);
    expect(td[1]).toContain(line);
    const column = new RegExp(
      `<tr class="still-needed-row" data-detail data-still-needed-for="${w.unitA.id}">[\\s\\S]*?</tr>`,
    ).exec(page.text)![0];
    expect(column).toContain(
      `data-requirement="media_reports" data-status="${media.status}"><span>${line}</span>`,
    );

    const xlsx = await supGd.get('/overview.xlsx').buffer(true).parse(binary);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.headers['content-disposition']).toMatch(/attachment; filename=.*\.xlsx/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    const ws = wb.worksheets[0];
    const headers = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    const col = headers.indexOf('省级以上新闻媒体宣传·已核实') + 1;
    expect(col).toBeGreaterThan(0);
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(1).value).toBe(w.unitA.name);
    expect(ws.getRow(2).getCell(col).value).toBe(1);
    const events = headers.indexOf('经验交流、观摩活动·已核实') + 1;
    expect(ws.getRow(2).getCell(events).value).toBe(2);
    expect(headers[headers.length - 1]).toBe('还需');
    expect(String(ws.getRow(2).getCell(headers.length).value).split('\n')).toContain(line);

    const csv = await unitUser.get(`/units/${w.unitA.id}/activities.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv.text).toContain("'+市局");
    expect(csv.text).not.toMatch(/(^|,)=HYPERLINK/m);

    const unitXlsx = await unitUser
      .get(`/units/${w.unitA.id}/activities.xlsx?status=verified`)
      .buffer(true)
      .parse(binary);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(unitXlsx.body as ArrayBuffer);
    expect(wb2.worksheets[0].rowCount).toBe(1 + 3);
    // Its second sheet: the period's standing with what is still needed.
    const standing = wb2.worksheets[1];
    expect(standing.name).toBe('完成情况');
    const mediaRow = [...Array(standing.rowCount).keys()]
      .map((i) => standing.getRow(i + 1))
      .find((r) => r.getCell(1).value === '省级以上新闻媒体宣传')!;
    expect(mediaRow.getCell(2).value).toBe(1);
    expect(mediaRow.getCell(7).value).toBe(line);
  });

  it('answers every page in Chinese and in English', async () => {
    const activity = await t.orm.em.fork().findOneOrFail(Activity, { title: '交流会一' });
    const pages: [Agent, string, string, string][] = [
      [unitUser, `/units/${w.unitA.id}`, '本考核期', 'This period'],
      [unitUser, `/units/${w.unitA.id}/print`, '打印', 'Print'],
      [unitUser, '/activities/new', '填报活动', 'Log an activity'],
      [unitUser, `/activities/${activity.id}`, '证明材料', 'Evidence'],
      [supGd, '/overview', '示范项目总览', 'Overview of demonstration units'],
      [supGd, '/review', '待审核活动', 'Activities awaiting review'],
      [supGd, `/units/${w.unitB.id}`, '页面不存在或无权查看', 'Page not found'],
    ];
    for (const [agent, path, zh, en] of pages) {
      const sep = path.includes('?') ? '&' : '?';
      const z = await agent.get(`${path}${sep}lang=zh`);
      expect({ path, lang: /<html lang="([^"]+)"/.exec(z.text)?.[1], has: z.text.includes(zh) }).toEqual({
        path,
        lang: 'zh-CN',
        has: true,
      });
      const e = await agent.get(`${path}${sep}lang=en`);
      expect({ path, lang: /<html lang="([^"]+)"/.exec(e.text)?.[1], has: e.text.includes(en) }).toEqual({
        path,
        lang: 'en',
        has: true,
      });
      // No untranslated key leaks onto a page.
      expect({ path, keys: e.text.match(/\bweb\.[a-z]+\.[A-Za-z_.]+/g) }).toEqual({ path, keys: null });
    }
  });
});

/** supertest parser collecting a binary body into a Buffer. */
function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}
