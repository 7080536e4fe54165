import type request from 'supertest';
import { AuditLog, UnitTarget } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { csrfOf, PASSWORD, pageLogin, seedWorld, type WebWorld } from './web-fixtures';

type Agent = ReturnType<typeof request.agent>;

const XSS = '<img src=x onerror=alert(1)>';

/*
 * SPEC §3 v2 unit targets on the unit page: the "目标 / Targets" section lists them, the status table
 * marks a minimum that comes from a target, and administrators and the unit's supervisors set and remove
 * targets with the page's form (through the same service as PUT /api/v1/units/:id/targets).
 */
describe('web: unit targets on the unit page', () => {
  let t: TestApp;
  let w: WebWorld;
  let year: number;
  let unitUser: Agent;
  let supGd: Agent;
  let supBj: Agent;
  let admin: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    w = await seedWorld(t);
    year = Number(w.today.slice(0, 4));
    unitUser = await pageLogin(t, w.users.unitA, PASSWORD);
    supGd = await pageLogin(t, w.users.supGd, PASSWORD);
    supBj = await pageLogin(t, w.users.supBj, PASSWORD);
    admin = await pageLogin(t, ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  const page = (agent: Agent, lang = 'zh') => agent.get(`/units/${w.unitA.id}?lang=${lang}`);
  const stored = () => t.orm.em.fork().count(UnitTarget, { unit: w.unitA.id });
  const row = (html: string, key: string) =>
    new RegExp(`<tr data-requirement="${key}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
  const form = (fields: Record<string, string>) => ({
    requirement: 'exchange_events',
    periodStart: `${year}-01-01`,
    minimum: '1',
    reason: '任务书第 2.1 条：每年 1 次',
    ...fields,
  });

  it('shows the section to everyone in scope, the form only to admins and supervisors', async () => {
    const own = await page(unitUser);
    expect(own.status).toBe(200);
    expect(own.text).toContain('data-testid="targets"');
    expect(own.text).toContain('暂无任务书目标');
    expect(own.text).not.toContain('data-testid="target-form"');
    for (const agent of [supGd, admin]) {
      const res = await page(agent);
      expect(res.text).toContain('data-testid="target-form"');
      // The requirements offered are the unit's rule set's, by their short labels, with its periods.
      expect(res.text).toContain('<option value="exchange_events"');
      expect(res.text).toContain(`<option value="${year + 1}-01-01"`);
    }
    const en = await page(admin, 'en');
    expect(en.text).toContain('Targets');
    expect(en.text).toContain('Set a target');
  });

  it('sets a target with the form: listed with the program’s minimum, marked in the status table', async () => {
    const token = csrfOf((await page(supGd)).text);
    const res = await supGd
      .post(`/units/${w.unitA.id}/targets`)
      .type('form')
      .send({ _csrf: token, ...form({}) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/units/${w.unitA.id}?done=targetSaved#targets`);
    expect(await stored()).toBe(1);

    const zh = await unitUser.get(`/units/${w.unitA.id}?done=targetSaved&lang=zh`);
    expect(zh.text).toContain('任务书目标已保存');
    const listed = /<tr data-target="exchange_events [^"]+"[\s\S]*?<\/tr>/.exec(zh.text)![0];
    expect(listed).toContain('任务书第 2.1 条：每年 1 次');
    expect(listed).toMatch(/data-field="target">1</);
    expect(listed).toMatch(/data-field="ruleMinimum">3</);
    const standing = row(zh.text, 'exchange_events');
    expect(standing).toMatch(/data-field="minimum">1<span/);
    expect(standing).toContain('（任务书目标，规则 3）');
    // Other requirements keep the program's minimum, unmarked.
    expect(row(zh.text, 'work_updates')).toMatch(/data-field="minimum">4<\/td>/);
    const en = await page(unitUser, 'en');
    // Shown as “1 (target; program 3)”.
    expect(row(en.text, 'exchange_events')).toMatch(/>1<span[^>]*> \(target; program 3\)<\/span>/);

    // Setting the same requirement and period again replaces it; the audit log has both changes.
    const again = await supGd
      .post(`/units/${w.unitA.id}/targets`)
      .type('form')
      .send({ _csrf: token, ...form({ minimum: '2', reason: XSS }) });
    expect(again.status).toBe(303);
    expect(await stored()).toBe(1);
    const shown = await page(admin);
    expect(shown.text).not.toContain(XSS);
    expect(shown.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(row(shown.text, 'exchange_events')).toContain('（任务书目标，规则 3）');
    const audits = await t.orm.em
      .fork()
      .find(AuditLog, { action: 'targets.update', entityId: String(w.unitA.id) }, { orderBy: { id: 'asc' } });
    expect(audits).toHaveLength(2);
    expect(audits[1].changes).toEqual({
      [`exchange_events ${year}-01-01`]: [
        { minimum: 1, reason: '任务书第 2.1 条：每年 1 次' },
        { minimum: 2, reason: XSS },
      ],
    });
  });

  it('shows a refused form again with the message at its field, storing nothing', async () => {
    const token = csrfOf((await page(admin)).text);
    const before = await t.orm.em.fork().find(UnitTarget, { unit: w.unitA.id });
    const cases: [Record<string, string>, string][] = [
      [{ periodStart: `${year}-02-01` }, 'periodStart'],
      [{ minimum: '' }, 'minimum'],
      [{ minimum: '-3' }, 'minimum'],
      [{ minimum: '10001' }, 'minimum'],
      [{ reason: '   ' }, 'reason'],
      [{ requirement: 'no_such_kind' }, 'requirement'],
    ];
    for (const [fields, field] of cases) {
      const res = await admin
        .post(`/units/${w.unitA.id}/targets`)
        .type('form')
        .send({ _csrf: token, ...form(fields) });
      expect({ fields, status: res.status }).toEqual({ fields, status: 400 });
      expect({ fields, error: res.text.includes(`data-error-for="${field}"`) }).toEqual({
        fields,
        error: true,
      });
      // The page is shown again with what was typed.
      expect(res.text).toContain('data-testid="target-form"');
    }
    expect(await t.orm.em.fork().find(UnitTarget, { unit: w.unitA.id })).toEqual(before);
  });

  it('is refused to unit users (403), other provinces (404) and requests without the CSRF token', async () => {
    const before = await stored();
    const unitToken = csrfOf((await page(unitUser)).text);
    const byUnit = await unitUser
      .post(`/units/${w.unitA.id}/targets`)
      .type('form')
      .send({ _csrf: unitToken, ...form({ minimum: '0' }) });
    expect(byUnit.status).toBe(403);
    const bjToken = csrfOf((await supBj.get('/overview')).text);
    const other = await supBj
      .post(`/units/${w.unitA.id}/targets`)
      .type('form')
      .send({ _csrf: bjToken, ...form({ minimum: '0' }) });
    expect(other.status).toBe(404);
    const otherRemove = await supBj
      .post(`/units/${w.unitA.id}/targets/delete`)
      .type('form')
      .send({ _csrf: bjToken, requirement: 'exchange_events', periodStart: `${year}-01-01` });
    expect(otherRemove.status).toBe(404);
    const noCsrf = await admin
      .post(`/units/${w.unitA.id}/targets`)
      .type('form')
      .send(form({ minimum: '0' }));
    expect(noCsrf.status).toBe(403);
    expect(await stored()).toBe(before);
  });

  it('removes a target with its button', async () => {
    const html = (await page(supGd)).text;
    expect(html).toContain('data-testid="remove-target"');
    const res = await supGd
      .post(`/units/${w.unitA.id}/targets/delete`)
      .type('form')
      .send({ _csrf: csrfOf(html), requirement: 'exchange_events', periodStart: `${year}-01-01` });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/units/${w.unitA.id}?done=targetRemoved#targets`);
    expect(await stored()).toBe(0);
    const after = await supGd.get(`/units/${w.unitA.id}?done=targetRemoved`);
    expect(after.text).toContain('任务书目标已删除');
    expect(after.text).toContain('暂无任务书目标');
    expect(row(after.text, 'exchange_events')).toMatch(/data-field="minimum">3<\/td>/);
  });
});
