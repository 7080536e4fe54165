import { RequestContext } from '@mikro-orm/core';
import { AuditLog, OutboxMessage, Unit, UnitStatusChange } from '@app/db';
import { RemindersService } from '../../apps/tracker/src/reminders/reminders.service';
import { ADMIN, createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { bearer, makeUnit, makeUser, PASSWORD, recount } from './compliance.fixtures';
import { csrfOf, pageLogin } from './web-fixtures';

/*
 * The unit lifecycle: active → under evaluation → accepted | not accepted, accepted → revoked, by
 * supervisors in scope and admins, with history and audit; accepted units get no monthly mail and no
 * deadline reminder. Today is 2026-12-01: 30 days before the 2026 period ends, the 30-day reminder is due.
 */
const TODAY = '2026-12-01';
const CYCLE = { cycleStart: '2025-01-01', cycleEnd: '2027-12-31' };

describe(`unit lifecycle on ${TEST_DB}`, () => {
  let t: TestApp;
  let accepted: Unit, running: Unit, other: Unit, fresh: Unit;
  const tokens: Record<string, string> = {};
  const as = (who: string) => bearer(tokens[who]);
  const step = (u: Unit, body: object, who = 'sup44') =>
    t.http.post(`/api/v1/units/${u.id}/status`).set(as(who)).send(body);
  const RESULT = { score: 92, conclusion: '各项任务均已完成，评估合格', evaluator: '省评估组' };

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    const em = t.orm.em.fork();
    accepted = makeUnit(em, {
      name: '验收单位',
      province: '44',
      ...CYCLE,
      contacts: [{ name: '张三', email: 'zhang@accepted.example.cn' }],
    });
    running = makeUnit(em, {
      name: '建设单位',
      province: '44',
      ...CYCLE,
      contacts: [{ name: '李四', email: 'li@running.example.cn' }],
    });
    other = makeUnit(em, { name: '外省单位', province: '11', ...CYCLE });
    fresh = makeUnit(em, { name: '新单位', province: '44', ...CYCLE });
    const sup44 = await makeUser(em, { email: 'sup44@life.cn', role: 'supervisor', provinces: ['44'] });
    const sup11 = await makeUser(em, { email: 'sup11@life.cn', role: 'supervisor', provinces: ['11'] });
    const unitUser = await makeUser(em, { email: 'u@life.cn', role: 'unit', unit: accepted });
    await em.flush();
    await recount(t);
    tokens.admin = await t.login(ADMIN.email, ADMIN.password);
    tokens.sup44 = await t.login(sup44.email, PASSWORD);
    tokens.sup11 = await t.login(sup11.email, PASSWORD);
    tokens.unit = await t.login(unitUser.email, PASSWORD);
  });
  afterAll(() => t.close());

  it('refuses steps the lifecycle does not allow, naming status and the rule, and changes nothing', async () => {
    const skip = await step(accepted, {
      status: 'accepted',
      date: '2026-11-20',
      reason: '直接验收',
      ...RESULT,
    });
    expect(skip.status).toBe(400);
    expect(skip.body.errors).toEqual([expect.objectContaining({ field: 'status', rule: 'transition' })]);
    expect(skip.body.messageZh ?? JSON.stringify(skip.body)).toContain('评估中');
    expect((await step(accepted, { status: 'bogus', date: '2026-11-20', reason: 'x' })).status).toBe(400);
    const future = await step(accepted, {
      status: 'under_evaluation',
      date: '2026-12-02',
      reason: '启动评估',
    });
    expect(future.body.errors[0]).toMatchObject({ field: 'date', rule: 'notFuture' });
    expect(
      (await step(accepted, { status: 'under_evaluation', date: '2026-11-01', reason: 'x' }, 'unit')).status,
    ).toBe(403);
    expect(
      (await step(accepted, { status: 'under_evaluation', date: '2026-11-01', reason: 'x' }, 'sup11')).status,
    ).toBe(404);
    expect(
      (await step(other, { status: 'under_evaluation', date: '2026-11-01', reason: 'x' }, 'sup44')).status,
    ).toBe(404);
    const em = t.orm.em.fork();
    expect((await em.findOneOrFail(Unit, accepted.id)).status).toBe('active');
    expect(await em.count(UnitStatusChange, {})).toBe(0);
  });

  it('moves active → under evaluation → accepted with the evaluation result, kept as history and audited', async () => {
    const start = await step(accepted, {
      status: 'under_evaluation',
      date: '2026-11-01',
      reason: '周期满，启动评估',
    });
    expect(start.status).toBe(201);
    const noResult = await step(accepted, { status: 'accepted', date: '2026-11-20', reason: '评估通过' });
    expect(noResult.status).toBe(400);
    expect(noResult.body.errors[0]).toMatchObject({ field: 'score', rule: 'requiredForEvaluation' });
    const badScore = await step(accepted, {
      status: 'accepted',
      date: '2026-11-20',
      reason: 'x',
      ...RESULT,
      score: 101,
    });
    expect(badScore.body.errors[0]).toMatchObject({ field: 'score' });
    const done = await step(accepted, {
      status: 'accepted',
      date: '2026-11-20',
      reason: '评估通过',
      ...RESULT,
    });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({
      fromStatus: 'under_evaluation',
      toStatus: 'accepted',
      ...RESULT,
      actor: 'sup44@life.cn',
    });

    const history = await t.http.get(`/api/v1/units/${accepted.id}/status`).set(as('unit'));
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ status: 'accepted', next: ['revoked'] });
    expect(history.body.history.map((h: { toStatus: string; date: string }) => [h.toStatus, h.date])).toEqual(
      [
        ['accepted', '2026-11-20'],
        ['under_evaluation', '2026-11-01'],
      ],
    );
    expect((await t.http.get(`/api/v1/units/${accepted.id}/status`).set(as('sup11'))).status).toBe(404);
    const audit = await t.orm.em
      .fork()
      .find(AuditLog, { action: 'status', entity: 'unit' }, { orderBy: { id: 'asc' } });
    expect(audit.map((x) => x.changes?.status)).toEqual([
      ['active', 'under_evaluation'],
      ['under_evaluation', 'accepted'],
    ]);
    expect(audit[1].changes).toMatchObject({ reason: '评估通过', score: 92, evaluator: '省评估组' });
    // Back to active is no step of the lifecycle.
    const back = await step(accepted, { status: 'active', date: '2026-11-25', reason: '回退' });
    expect(back.body.errors[0]).toMatchObject({ field: 'status', rule: 'transition' });
    // The unit list filters by it.
    const list = await t.http.get('/api/v1/units?status=accepted').set(as('sup44'));
    expect(list.body.items.map((u: { id: number }) => u.id)).toEqual([accepted.id]);
  });

  it('an accepted unit gets no monthly mail and no reminder; a running one gets both', async () => {
    const run = await t.http.post('/api/v1/reports/runs').set(as('admin')).send({ period: '2026-12' });
    expect(run.status).toBe(201);
    await RequestContext.create(t.orm.em, () => t.app.get(RemindersService).run(TODAY));
    const rows = await t.orm.em.fork().find(OutboxMessage, { kind: { $in: ['unit_report', 'reminder'] } });
    const to = (kind: string) =>
      rows
        .filter((r) => r.kind === kind)
        .map((r) => r.recipient)
        .sort();
    expect(to('unit_report')).toEqual(['li@running.example.cn']);
    expect(to('reminder')).toEqual(['li@running.example.cn']);
  });

  it('an admin revokes an accepted unit; a revoked one takes no further step', async () => {
    const revoked = await step(
      accepted,
      { status: 'revoked', date: '2026-11-30', reason: '发现材料造假' },
      'admin',
    );
    expect(revoked.status).toBe(201);
    expect(revoked.body).toMatchObject({ fromStatus: 'accepted', toStatus: 'revoked', score: null });
    const after = await step(accepted, { status: 'active', date: '2026-11-30', reason: 'x' }, 'admin');
    expect(after.body.errors[0]).toMatchObject({ field: 'status', rule: 'transition' });
    // Running through not accepted: the other outcome of an evaluation.
    await step(running, { status: 'under_evaluation', date: '2026-11-01', reason: '启动评估' });
    const failed = await step(running, {
      status: 'not_accepted',
      date: '2026-11-21',
      reason: '评估不合格',
      score: 55,
      conclusion: '国家级论文未完成',
      evaluator: '省评估组',
    });
    expect(failed.status).toBe(201);
    expect((await t.orm.em.fork().findOneOrFail(Unit, running.id)).status).toBe('not_accepted');
  });

  it('the unit page shows the status, its history and the form; the form takes the next step', async () => {
    const agent = await pageLogin(t, 'sup44@life.cn', PASSWORD);
    const page = await agent.get(`/units/${accepted.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="status-history"');
    expect(page.text).toMatch(/data-testid="unit-status">已撤销</);
    expect(page.text).not.toContain('data-testid="status-form"');
    const freshPage = await agent.get(`/units/${fresh.id}`);
    expect(freshPage.text).toContain('data-testid="status-form"');
    const posted = await agent
      .post(`/units/${fresh.id}/status`)
      .type('form')
      .send({
        _csrf: csrfOf(freshPage.text),
        status: 'under_evaluation',
        date: '2026-11-02',
        reason: '页面启动评估',
        score: '',
      });
    expect(posted.status).toBe(303);
    const after = await agent.get(`/units/${fresh.id}`);
    expect(after.text).toContain('页面启动评估');
    expect(after.text).toMatch(/data-testid="unit-status">评估中</);
    const refused = await agent
      .post(`/units/${fresh.id}/status`)
      .type('form')
      .send({ _csrf: csrfOf(after.text), status: 'accepted', date: '2026-11-03', reason: '通过', score: '' });
    expect(refused.status).toBe(400);
    expect((await t.orm.em.fork().findOneOrFail(Unit, fresh.id)).status).toBe('under_evaluation');
    const overview = await agent.get('/overview?unitStatus=under_evaluation');
    expect(overview.status).toBe(200);
    expect(overview.text).toContain(`data-unit="${fresh.id}"`);
    expect(overview.text).not.toContain(`data-unit="${accepted.id}"`);
    expect(overview.text).toContain('data-testid="year-report-link"');
  });
});
