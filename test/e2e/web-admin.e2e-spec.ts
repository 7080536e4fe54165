import type request from 'supertest';
import { OutboxWorker } from '@app/mail';
import { AuditLog, OutboxMessage, Session, Unit, User } from '@app/db';
import { todayIn, withCheckChar } from '@app/compliance';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { csrfOf, PASSWORD, pageLogin, seedWorld, type WebWorld } from './web-fixtures';

type Agent = ReturnType<typeof request.agent>;

function badCheckChar(first17: string): string {
  const good = withCheckChar(first17);
  return good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
}

describe('web admin pages: units, users, rule sets, e-mails, audit log', () => {
  let t: TestApp;
  let w: WebWorld;
  let admin: Agent;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await seedWorld(t);
    admin = await pageLogin(t, ADMIN.email, ADMIN.password);
    token = csrfOf((await admin.get('/admin/units')).text);
  });
  afterAll(() => t.close());

  it('is for administrators only', async () => {
    const sup = await pageLogin(t, w.users.supGd, PASSWORD);
    for (const path of [
      '/admin/units',
      '/admin/users',
      '/admin/rule-sets',
      '/admin/outbox',
      '/admin/audit',
    ]) {
      const res = await sup.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.text).toContain('无权执行此操作');
    }
  });

  it('creates a unit from the form, refusing a bad credit code and bad contacts first', async () => {
    const year = Number(todayIn().slice(0, 4));
    const form = {
      _csrf: token,
      name: '杭州市示范旅游服务公司',
      // A wrong check character.
      creditCode: badCheckChar('91330100MA2H00002'),
      province: '33',
      industry: '旅游服务',
      kind: 'enterprise',
      program: 'service-industry-demo',
      status: 'active',
      cycleStart: `${year}-01-01`,
      cycleEnd: `${year + 1}-12-31`,
      contacts: '王五 <wangwu@example.cn>\nnot a contact',
    };
    const before = await t.orm.em.fork().count(Unit, {});
    const bad = await admin.post('/admin/units').type('form').send(form);
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/data-error-for="creditCode"/);
    expect(bad.text).toMatch(/data-error-for="contacts"/);
    expect(bad.text).toContain('value="杭州市示范旅游服务公司"');
    expect(await t.orm.em.fork().count(Unit, {})).toBe(before);

    const code = withCheckChar('91330100MA2H00001');
    const ok = await admin
      .post('/admin/units')
      .type('form')
      .send({ ...form, creditCode: code, contacts: '王五 <wangwu@example.cn>\n赵六, zhaoliu@example.cn' });
    expect(ok.status).toBe(303);
    const unit = await t.orm.em.fork().findOneOrFail(Unit, { creditCode: code });
    expect(unit.contacts).toEqual([
      { name: '王五', email: 'wangwu@example.cn' },
      { name: '赵六', email: 'zhaoliu@example.cn' },
    ]);
    const list = await admin.get(ok.headers.location);
    expect(list.text).toContain('单位已创建');
    expect(list.text).toContain(code);

    const edit = await admin.get(`/admin/units/${unit.id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('王五 &lt;wangwu@example.cn&gt;');
    const saved = await admin
      .post(`/admin/units/${unit.id}`)
      .type('form')
      .send({
        ...form,
        creditCode: code,
        name: '杭州市示范旅游服务有限公司',
        contacts: '王五 <wangwu@example.cn>',
      });
    expect(saved.status).toBe(303);
    const after = await t.orm.em.fork().findOneOrFail(Unit, unit.id);
    expect(after.name).toBe('杭州市示范旅游服务有限公司');
    expect(after.contacts).toHaveLength(1);
    const wrongEnd = await admin
      .post(`/admin/units/${unit.id}`)
      .type('form')
      .send({ ...form, creditCode: code, cycleEnd: `${year - 1}-12-31`, contacts: '' });
    expect(wrongEnd.status).toBe(400);
    expect(wrongEnd.text).toMatch(/data-error-for="cycleEnd"/);
  });

  it('creates and edits users with their scopes; a rename keeps the user signed in', async () => {
    const bad = await admin.post('/admin/users').type('form').send({
      _csrf: token,
      email: 'sup-zj@example.gov.cn',
      name: '浙江监管',
      password: 'long-enough-1',
      role: 'supervisor',
      locale: 'zh',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/data-error-for="provinces"/);

    const ok = await admin
      .post('/admin/users')
      .type('form')
      .send({
        _csrf: token,
        email: 'sup-zj@example.gov.cn',
        name: '浙江监管',
        password: 'long-enough-1',
        role: 'supervisor',
        provinces: ['33', '31'],
        unitId: String(w.unitA.id),
        locale: 'en',
      });
    expect(ok.status).toBe(303);
    const user = await t.orm.em.fork().findOneOrFail(User, { email: 'sup-zj@example.gov.cn' });
    expect(user.provinces.sort()).toEqual(['31', '33']);
    expect(user.unit).toBeNull();
    expect(user.locale).toBe('en');

    const sup = await pageLogin(t, 'sup-zj@example.gov.cn', 'long-enough-1');
    expect((await sup.get('/overview')).text).toContain('<html lang="en">');
    const sessions = await t.orm.em.fork().count(Session, { user: user.id });

    const rename = await admin
      .post(`/admin/users/${user.id}`)
      .type('form')
      .send({
        _csrf: token,
        name: '浙江省局',
        role: 'supervisor',
        provinces: ['31', '33'],
        locale: 'en',
        active: 'on',
      });
    expect(rename.status).toBe(303);
    expect(await t.orm.em.fork().count(Session, { user: user.id })).toBe(sessions);
    expect((await sup.get('/overview')).status).toBe(200);

    const narrowed = await admin.post(`/admin/users/${user.id}`).type('form').send({
      _csrf: token,
      name: '浙江省局',
      role: 'supervisor',
      provinces: '33',
      locale: 'en',
      active: 'on',
    });
    expect(narrowed.status).toBe(303);
    expect((await t.orm.em.fork().findOneOrFail(User, user.id)).provinces).toEqual(['33']);
    // A narrower scope must not keep old rights: the session is gone.
    expect((await sup.get('/overview')).headers.location).toMatch(/^\/login/);

    const users = await admin.get('/admin/users?role=supervisor');
    expect(users.text).toContain('浙江省局');
    expect(users.text).toContain('浙江省');
  });

  it('refuses a weak password on the user pages, next to the field, and saves nothing', async () => {
    const form = {
      _csrf: token,
      email: 'zhou.min@example.gov.cn',
      name: '周敏',
      role: 'supervisor',
      provinces: '33',
      locale: 'en',
    };
    for (const password of ['1234567890', 'zhou.min@example.gov.cn']) {
      const res = await admin
        .post('/admin/users?lang=en')
        .type('form')
        .send({ ...form, password });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/data-error-for="password">password is too easy to guess/);
    }
    expect(await t.orm.em.fork().count(User, { email: form.email })).toBe(0);

    expect(
      (
        await admin
          .post('/admin/users')
          .type('form')
          .send({ ...form, password: 'long-enough-1' })
      ).status,
    ).toBe(303);
    const user = await t.orm.em.fork().findOneOrFail(User, { email: form.email });
    const edit = await admin
      .post(`/admin/users/${user.id}`)
      .type('form')
      .send({ ...form, active: 'on', password: '1234567890' });
    expect(edit.status).toBe(400);
    expect(edit.text).toMatch(/data-error-for="password">密码太容易被猜到/);
    await pageLogin(t, form.email, 'long-enough-1');
  });

  it('shows the rule sets read-only, but for each program’s reminder days', async () => {
    const res = await admin.get('/admin/rule-sets');
    expect(res.status).toBe(200);
    expect(res.text).toContain('国家级服务业标准化示范项目');
    // A condition names its field in words, not by its code.
    expect(res.text).toContain('刊物级别 ∈');
    expect(res.text).not.toContain('journalLevel');
    const forms = [...res.text.matchAll(/<form method="post" action="(\/admin\/rule-sets[^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(forms.sort()).toEqual([
      '/admin/rule-sets/service-industry-demo/reminders',
      '/admin/rule-sets/social-management-pilot/reminders',
    ]);
    expect(res.text).toMatch(/name="days"[^>]*value="60, 30, 7"/);
  });

  it('changes a program’s reminder days from the page, naming the field when refused', async () => {
    const path = '/admin/rule-sets/service-industry-demo/reminders';
    const bad = await admin.post(path).type('form').send({ _csrf: token, days: '30, 400' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/data-error-for="days">过大/);
    const ok = await admin.post(path).type('form').send({ _csrf: token, days: '45，10' });
    expect(ok.status).toBe(303);
    const page = await admin.get('/admin/rule-sets?done=reminderDaysSaved');
    expect(page.text).toContain('提醒天数已保存');
    expect(page.text).toMatch(/name="days"[^>]*value="45, 10"/);
    const reset = await admin.post(path).type('form').send({ _csrf: token, days: '', reset: '1' });
    expect(reset.status).toBe(303);
    expect((await admin.get('/admin/rule-sets')).text).toMatch(/name="days"[^>]*value="60, 30, 7"/);
  });

  it('makes, shows once and revokes the admin’s calendar link', async () => {
    expect((await admin.get('/account/calendar')).text).toContain('尚未生成订阅链接');
    const made = await admin.post('/account/calendar').type('form').send({ _csrf: token });
    expect(made.status).toBe(200);
    const url = /value="(https?:\/\/[^"]+\.ics)"/.exec(made.text)![1];
    const feed = await t.http.get(new URL(url).pathname);
    expect(feed.status).toBe(200);
    expect(feed.text).toContain('BEGIN:VCALENDAR');
    expect((await admin.get('/account/calendar')).text).not.toContain('.ics');
    const revoked = await admin.post('/account/calendar/revoke').type('form').send({ _csrf: token });
    expect(revoked.status).toBe(303);
    expect((await t.http.get(new URL(url).pathname)).status).toBe(404);
  });

  it('lists sent reports with a preview of each mail', async () => {
    const period = todayIn().slice(0, 7);
    const run = await t.http
      .post('/api/v1/reports/runs')
      .set('authorization', `Bearer ${w.adminToken}`)
      .send({ period });
    expect(run.status).toBeLessThan(300);
    const queued = await t.orm.em.fork().find(OutboxMessage, {});
    expect(queued.length).toBeGreaterThan(0);

    const before = await admin.get('/admin/outbox?status=queued');
    expect(before.status).toBe(200);
    expect(before.text).toContain(queued[0].recipient);
    const pending = await admin.get(`/admin/outbox/${queued[0].id}`);
    expect(pending.text).toMatch(/src="\/api\/v1\/reports\/(units\/\d+|digest)\?period=/);

    await t.app.get(OutboxWorker).processDue();
    const sent = await t.orm.em
      .fork()
      .findOneOrFail(OutboxMessage, { kind: 'unit_report', unitId: w.unitA.id });
    expect(sent.status).toBe('sent');
    const detail = await admin.get(`/admin/outbox/${sent.id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain(`src="/admin/outbox/${sent.id}/html"`);
    expect(detail.text).toContain(sent.recipient);
    const html = await admin.get(`/admin/outbox/${sent.id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.text).toContain(w.unitA.name);
    expect(html.text).not.toContain('cid:');
    const chart = /src="(\/api\/v1\/reports\/units\/\d+\/charts\/[a-z]+\?[^"]+)"/
      .exec(html.text)![1]
      .replace(/&amp;/g, '&');
    const png = await admin.get(chart);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toMatch(/^image\/png/);
    const list = await admin.get('/admin/outbox?status=sent');
    expect(list.text).toContain('已发送');
    expect(list.text).toContain('单位月度报告');
  });

  it('filters the audit log', async () => {
    const res = await admin.get('/admin/audit?entity=unit&action=create');
    expect(res.status).toBe(200);
    const rows = (res.text.match(/<tr>\s*<td class="nowrap small">/g) ?? []).length;
    expect(rows).toBe(await t.orm.em.fork().count(AuditLog, { entity: 'unit', action: 'create' }));
    expect(res.text).toContain('杭州市示范旅游服务公司');
    const bad = await admin.get('/admin/audit?from=2026-13-01');
    expect(bad.status).toBe(400);
  });

  it('answers every admin page in Chinese and in English', async () => {
    const mail = await t.orm.em
      .fork()
      .findOneOrFail(OutboxMessage, { status: 'sent' }, { orderBy: { id: 'asc' } });
    const pages: [string, string, string][] = [
      ['/admin/units', '单位管理', 'Units'],
      ['/admin/units/new', '新增单位', 'New unit'],
      [`/admin/units/${w.unitA.id}/edit`, '统一社会信用代码', 'Unified social credit code'],
      ['/admin/users', '用户管理', 'Users'],
      ['/admin/users/new', '新增用户', 'New user'],
      ['/admin/rule-sets', '考核规则', 'Rule sets'],
      ['/admin/outbox', '邮件记录', 'E-mails'],
      [`/admin/outbox/${mail.id}`, '邮件预览', 'Preview'],
      ['/admin/audit', '审计日志', 'Audit log'],
    ];
    const user = await t.orm.em.fork().findOneOrFail(User, { email: w.users.unitA });
    pages.push([`/admin/users/${user.id}/edit`, '留空则不修改密码', 'Leave empty to keep the password']);
    for (const [path, zh, en] of pages) {
      const z = await admin.get(`${path}?lang=zh`);
      expect({ path, status: z.status, has: z.text.includes(zh) }).toEqual({ path, status: 200, has: true });
      const e = await admin.get(`${path}?lang=en`);
      expect({
        path,
        status: e.status,
        lang: e.text.includes('<html lang="en">'),
        has: e.text.includes(en),
      }).toEqual({
        path,
        status: 200,
        lang: true,
        has: true,
      });
      expect({ path, keys: e.text.match(/\bweb\.[a-z]+\.[A-Za-z_.]+/g) }).toEqual({ path, keys: null });
    }
  });
});
