import { Activity, Unit, User } from '@app/db';
import { withCheckChar } from '@app/compliance';
import { createTestApp, type TestApp } from '../support/test-app';
import { ADMIN } from '../support/test-app';
import { csrfOf, pageLogin, PASSWORD, seedWorld, tinyPdf, type WebWorld } from './web-fixtures';

/*
 * Everyday defects of the pages: a refused bulk rejection shows the queue again with its message on the
 * reason field; the audit log and the rule-set page name codes in words; the admin's unit picker finds
 * any unit (not only the first 500) by a search on the server; the overview's industry filter offers
 * every industry in scope, not only those of the page shown.
 */

const MANY = 520;
const FAR_INDUSTRY = '远洋渔业服务';

describe('pages for everyday use', () => {
  let t: TestApp;
  let w: WebWorld;
  let admin: Awaited<ReturnType<typeof pageLogin>>;
  let far: Unit;

  beforeAll(async () => {
    t = await createTestApp();
    w = await seedWorld(t);
    admin = await pageLogin(t, ADMIN.email, ADMIN.password);
    // More units than any page or the old picker's 500 held; the last has an industry of its own.
    const em = t.orm.em.fork();
    for (let i = 0; i < MANY; i++) {
      em.create(Unit, {
        name: `批量示范单位${String(i).padStart(4, '0')}`,
        creditCode: withCheckChar(`91110000${String(700000000 + i)}`.slice(0, 17)),
        province: '11',
        industry: i === MANY - 1 ? FAR_INDUSTRY : '批量行业',
        kind: 'enterprise',
        program: 'service-industry-demo',
        ruleSetVersion: 1,
        cycleStart: '2026-01-01',
        cycleEnd: '2027-12-31',
      });
    }
    await em.flush();
    far = await em.findOneOrFail(Unit, { industry: FAR_INDUSTRY });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a bulk rejection without a reason shows the queue again, the message tied to the reason field', async () => {
    const unitUser = await pageLogin(t, w.users.unitA, PASSWORD);
    const ids: number[] = [];
    for (const title of ['交流会甲', '交流会乙']) {
      const token = csrfOf((await unitUser.get('/activities/new')).text);
      const res = await unitUser.post('/activities').type('form').send({
        _csrf: token,
        requirement: 'work_updates',
        date: w.today,
        title,
        recipient: '省市场监管局',
        action: 'submit',
      });
      expect(res.status).toBe(303);
      const id = Number(/\/activities\/(\d+)/.exec(res.headers.location)![1]);
      // The new form has no files: evidence first, then the submit.
      await unitUser
        .post(`/api/v1/activities/${id}/evidence`)
        .set('x-csrf-token', token)
        .attach('files', tinyPdf(), '工作动态.pdf')
        .expect(201);
      await unitUser.post(`/api/v1/activities/${id}/submit`).set('x-csrf-token', token).expect(200);
      ids.push(id);
    }
    const sup = await pageLogin(t, w.users.supGd, PASSWORD);
    const token = csrfOf((await sup.get('/review')).text);
    const res = await sup
      .post('/review/bulk')
      .type('form')
      .send({
        _csrf: token,
        ids: ids.map(String),
        action: 'reject',
        reason: '  ',
        next: '/review?province=44',
      });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    // The queue itself, not a bare error page: its items, the bulk form, the filter kept.
    for (const id of ids) expect(res.text).toContain(`data-activity="${id}"`);
    expect(res.text).toContain('data-testid="bulk-form"');
    expect(res.text).toMatch(/<option value="44" selected>/);
    const reason = /<input[^>]*id="bulk-reason"[^>]*>/.exec(res.text)![0];
    expect(reason).toContain('aria-invalid="true"');
    expect(reason).toContain('aria-describedby="bulk-reason-error"');
    expect(res.text).toMatch(
      /<span class="error-text" id="bulk-reason-error"[^>]*>退回时必须填写原因<\/span>/,
    );
    expect(res.text).toMatch(/<option value="reject" selected>/);
    // The selection is kept, and nothing changed.
    for (const id of ids)
      expect(res.text).toMatch(new RegExp(`value="${id}" form="bulk-form" id="select-${id}" checked`));
    const em = t.orm.em.fork();
    for (const id of ids) expect((await em.findOneOrFail(Activity, id)).status).toBe('submitted');

    // In English too; and nothing selected names the selection.
    const en = await sup
      .post('/review/bulk?lang=en')
      .type('form')
      .send({ _csrf: token, action: 'verify', next: '/review' });
    expect(en.status).toBe(400);
    expect(en.text).toContain('id="bulk-ids-error"');
    expect(en.text).toContain('data-testid="bulk-form"');
  });

  it('the audit log names actions and record types in the page’s language', async () => {
    const zh = await admin.get('/admin/audit?entity=unit&action=create');
    expect(zh.status).toBe(200);
    const rows = zh.text.slice(zh.text.indexOf('<tbody>'), zh.text.indexOf('</tbody>'));
    expect(rows).toContain('<span data-code="create">新建</span>');
    expect(rows).toContain('<span data-code="unit">单位</span>');
    expect(rows).not.toMatch(/<td class="mono">(create|unit)/);
    expect(zh.text).toContain('<option value="create" selected>新建</option>');
    expect(zh.text).toContain('<option value="login_failed">登录失败</option>');
    const en = await admin.get('/admin/audit?entity=unit&action=create&lang=en');
    expect(en.text).toContain('<span data-code="create">Created</span>');
    expect(en.text).toContain('<option value="unit" selected>Unit</option>');
  });

  it('the rule-set page labels a program’s reminder days with its name, not its code', async () => {
    const zh = await admin.get('/admin/rule-sets');
    const label = /<label for="days-input-service-industry-demo">([^<]+)<\/label>/.exec(zh.text);
    expect(label?.[1]).toBe('国家级服务业标准化示范项目');
    expect(zh.text).not.toMatch(/<span class="mono small muted">[a-z]+<\/span> ∈/);
    const en = await admin.get('/admin/rule-sets?lang=en');
    expect(/<label for="days-input-service-industry-demo">([^<]+)<\/label>/.exec(en.text)?.[1]).toMatch(
      /service/i,
    );
  });

  it('the unit picker lists no units up front and finds any unit, beyond the first 500, on the server', async () => {
    const form = await admin.get('/admin/users/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('id="unitId-search"');
    expect(form.text).not.toContain(`<option value="${w.unitA.id}"`);
    const token = csrfOf(form.text);
    const base = {
      _csrf: token,
      name: '远端单位用户',
      role: 'unit',
      locale: 'zh',
      password: 'a-long-password-7',
    };

    // Several matches: the form comes back with them to choose from, nothing created.
    const several = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...base, email: 'far@unit.example.cn', unitSearch: '批量示范单位', unitId: '' });
    expect(several.status).toBe(400);
    expect(several.text).toContain(`有 ${MANY} 个单位符合「批量示范单位」`);
    expect(several.text).toMatch(/id="unitId-search"[^>]*aria-invalid="true"/);
    expect(several.text).toContain('aria-describedby="unitId-hint unitId-error"');
    expect((several.text.match(/name="unitChoice"/g) ?? []).length).toBe(20);
    expect(await t.orm.em.fork().count(User, { email: 'far@unit.example.cn' })).toBe(0);

    const none = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...base, email: 'far@unit.example.cn', unitSearch: '不存在的单位', unitId: '' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('没有名称或信用代码包含「不存在的单位」的单位');

    // The unit past the first 500, typed by its full name: found on the server and taken.
    const created = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...base, email: 'far@unit.example.cn', unitSearch: far.name, unitId: '' });
    expect(created.status).toBe(303);
    const user = await t.orm.em.fork().findOneOrFail(User, { email: 'far@unit.example.cn' });
    expect(user.unit?.id).toBe(far.id);

    // Its edit form shows the unit's name in the search field; a choice from the list wins.
    const edit = await admin.get(`/admin/users/${user.id}/edit`);
    expect(edit.text).toMatch(new RegExp(`id="unitId-search"[^>]*value="${far.name}"`));
    expect(edit.text).toContain(`name="unitId" value="${far.id}"`);
    const chose = await admin
      .post(`/admin/users/${user.id}`)
      .type('form')
      .send({
        _csrf: csrfOf(edit.text),
        name: '远端单位用户',
        role: 'unit',
        locale: 'zh',
        active: 'on',
        unitSearch: '批量示范单位',
        unitId: String(far.id),
        unitChoice: String(w.unitA.id),
      });
    expect(chose.status).toBe(303);
    expect((await t.orm.em.fork().findOneOrFail(User, user.id)).unit?.id).toBe(w.unitA.id);
  });

  it('the admin’s activity form picks its unit the same way', async () => {
    const form = await admin.get('/activities/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('id="unitId-search"');
    expect(form.text).not.toContain(`<option value="${w.unitA.id}"`);
    const post = (unitSearch: string) =>
      admin
        .post('/activities')
        .type('form')
        .send({
          _csrf: csrfOf(form.text),
          unitSearch,
          unitId: '',
          requirement: 'work_updates',
          date: '2026-06-01',
          title: '远端单位工作动态',
          recipient: '市场监管局',
          action: 'save',
        });
    const several = await post('批量示范单位');
    expect(several.status).toBe(400);
    expect(several.text).toContain(`有 ${MANY} 个单位符合「批量示范单位」`);
    expect(several.text).toContain('data-testid="unit-choices"');
    const created = await post(far.creditCode);
    expect(created.status).toBe(303);
    const id = Number(/\/activities\/(\d+)/.exec(created.headers.location)![1]);
    expect((await t.orm.em.fork().findOneOrFail(Activity, id)).unit.id).toBe(far.id);
  });

  it('the overview’s industry filter offers every industry in scope, not only the page’s', async () => {
    const res = await admin.get('/overview');
    expect(res.status).toBe(200);
    const list = /<datalist id="industries">([\s\S]*?)<\/datalist>/.exec(res.text)![1];
    const offered = [...list.matchAll(/<option value="([^"]+)">/g)].map((m) => m[1]);
    // The far unit is the last of more than one page, and its industry is still offered.
    expect(res.text).not.toContain(`data-unit="${far.id}"`);
    expect(offered).toEqual(expect.arrayContaining([FAR_INDUSTRY, '批量行业', '现代物流', '养老服务']));
    expect(new Set(offered).size).toBe(offered.length);
    // A supervisor's scope: only the industries of the province's units.
    const sup = await pageLogin(t, w.users.supGd, PASSWORD);
    const mine = /<datalist id="industries">([\s\S]*?)<\/datalist>/.exec(
      (await sup.get('/overview')).text,
    )![1];
    expect([...mine.matchAll(/<option value="([^"]+)">/g)].map((m) => m[1])).toEqual(['现代物流']);
  });
});
