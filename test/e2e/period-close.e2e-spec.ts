import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Activity, AuditLog, PeriodClose, type Unit } from '@app/db';
import { PeriodsCloseCommand } from '../../apps/tracker/src/periods/periods-close.command';
import { PeriodsService } from '../../apps/tracker/src/periods/periods.service';
import { ADMIN, createTestApp, TEST_DB, type TestApp } from '../support/test-app';
import { bearer, makeActivity, makeUnit, makeUser, PASSWORD, recount } from './compliance.fixtures';
import { csrfOf, pageLogin } from './web-fixtures';

/*
 * Year-end close through the API and the CLI. Today is 2026-03-15: the 2025 periods ended on 2025-12-31
 * and, with the default 31 grace days, may be closed from 2026-02-01; the 2026 periods may not.
 * `a` (44) has two years of activities; `b` (44) a first period 2025-06-01..2025-12-31; `c` (11) is out
 * of the 44 supervisor's scope; `d` (44) started in 2026 and has no ended period.
 */
const TODAY = '2026-03-15';

describe(`period close on ${TEST_DB}`, () => {
  let t: TestApp;
  let a: Unit, b: Unit, c: Unit;
  const ids: Record<string, number> = {};
  const tokens: Record<string, string> = {};
  const as = (who: string) => bearer(tokens[who]);
  const compliance = (u: Unit, at: string, who = 'admin') =>
    t.http.get(`/api/v1/units/${u.id}/compliance?at=${at}`).set(as(who));
  const close = (u: Unit, period: string, who = 'sup44') =>
    t.http.post(`/api/v1/units/${u.id}/periods/${period}/close`).set(as(who));

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    const em = t.orm.em.fork();
    a = makeUnit(em, { name: '甲单位', province: '44', cycleStart: '2025-01-01', cycleEnd: '2026-12-31' });
    b = makeUnit(em, { name: '乙单位', province: '44', cycleStart: '2025-06-01', cycleEnd: '2027-05-31' });
    c = makeUnit(em, { name: '丙单位', province: '11', cycleStart: '2025-01-01', cycleEnd: '2026-12-31' });
    makeUnit(em, { name: '丁单位', province: '44', cycleStart: '2026-01-01', cycleEnd: '2027-12-31' });
    makeActivity(em, a, 'exchange_events', '2025-03-10', 'verified');
    makeActivity(em, a, 'exchange_events', '2025-06-10', 'verified');
    const submitted = makeActivity(em, a, 'exchange_events', '2025-11-10', 'submitted');
    const draft = makeActivity(em, a, 'exchange_events', '2025-12-10', 'draft', { participants: 10 });
    makeActivity(em, a, 'exchange_events', '2025-09-10', 'rejected');
    makeActivity(em, a, 'national_papers', '2025-04-01', 'verified', { journalLevel: 'national' });
    makeActivity(em, a, 'exchange_events', '2026-02-10', 'verified');
    makeActivity(em, b, 'exchange_events', '2025-07-10', 'verified');
    makeActivity(em, c, 'exchange_events', '2025-07-10', 'verified');
    const sup44 = await makeUser(em, { email: 'sup44@close.cn', role: 'supervisor', provinces: ['44'] });
    const sup11 = await makeUser(em, { email: 'sup11@close.cn', role: 'supervisor', provinces: ['11'] });
    const unitUser = await makeUser(em, { email: 'a@close.cn', role: 'unit', unit: a });
    await em.flush();
    await recount(t);
    ids.submitted = submitted.id;
    ids.draft = draft.id;
    tokens.admin = await t.login(ADMIN.email, ADMIN.password);
    tokens.sup44 = await t.login(sup44.email, PASSWORD);
    tokens.sup11 = await t.login(sup11.email, PASSWORD);
    tokens.unit = await t.login(unitUser.email, PASSWORD);
  });
  afterAll(() => t.close());

  it('lists the periods with their closed state and the first day each may be closed', async () => {
    const res = await t.http.get(`/api/v1/units/${a.id}/periods`).set(as('unit'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      unitId: a.id,
      graceDays: 31,
      periods: [
        { start: '2025-01-01', end: '2025-12-31', closableFrom: '2026-02-01', closable: true, closed: false },
        {
          start: '2026-01-01',
          end: '2026-12-31',
          closableFrom: '2027-02-01',
          closable: false,
          closed: false,
        },
      ],
    });
    expect((await t.http.get(`/api/v1/units/${a.id}/periods`).set(as('sup11'))).status).toBe(404);
  });

  it('refuses to close before the grace days are over, naming the rule; the grace is set per program', async () => {
    const early = await close(a, '2026');
    expect(early.status).toBe(400);
    expect(early.body.errors).toEqual([expect.objectContaining({ field: 'period', rule: 'graceNotOver' })]);
    expect(early.body.messageZh ?? JSON.stringify(early.body)).toMatch(/2027-02-01/);

    const put = await t.http
      .put('/api/v1/rule-sets/service-industry-demo/close-grace')
      .set(as('admin'))
      .send({ days: 90 });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ program: 'service-industry-demo', days: 90, overridden: true });
    const graced = await close(a, '2025');
    expect(graced.status).toBe(400);
    expect(graced.body.errors[0]).toMatchObject({ field: 'period', rule: 'graceNotOver' });
    // The reminder days of the program stay the rule set's.
    const reminders = await t.http.get('/api/v1/rule-sets/service-industry-demo/reminders').set(as('admin'));
    expect(reminders.body.overridden).toBe(false);
    const back = await t.http
      .put('/api/v1/rule-sets/service-industry-demo/close-grace')
      .set(as('admin'))
      .send({ days: null });
    expect(back.body).toMatchObject({ days: 31, overridden: false });
    expect((await close(a, '2025-02-01')).body.errors[0]).toMatchObject({
      field: 'period',
      rule: 'unitPeriod',
    });
    expect(await t.orm.em.fork().count(PeriodClose, {})).toBe(0);
  });

  it('only supervisors in scope and admins close: unit users 403, other provinces 404', async () => {
    expect((await close(a, '2025', 'unit')).status).toBe(403);
    expect((await close(a, '2025', 'sup11')).status).toBe(404);
    expect(await t.orm.em.fork().count(PeriodClose, {})).toBe(0);
  });

  let frozen: Record<string, unknown>;

  it('a supervisor closes the first period: the figures are stored and the API answers them', async () => {
    const before = await compliance(a, '2025-06-01');
    expect(before.body.closed ?? null).toBeNull();
    const res = await close(a, '2025');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ start: '2025-01-01', closed: true, closedBy: 'sup44@close.cn' });
    const again = await close(a, '2025-01-01');
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ field: 'period', rule: 'alreadyClosed' });

    const after = await compliance(a, '2025-06-01');
    expect(after.status).toBe(200);
    expect(after.body.closed).toMatchObject({ closedBy: 'sup44@close.cn' });
    const events = after.body.requirements.find((r: { key: string }) => r.key === 'exchange_events');
    expect(events).toMatchObject({ verified: 2, pending: 1, minimum: 3, status: 'failed' });
    frozen = { requirements: after.body.requirements, overall: after.body.overall };
    const audit = await t.orm.em.fork().find(AuditLog, { action: 'close', entity: 'period' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorEmail: 'sup44@close.cn', entityId: `${a.id}:2025-01-01` });
  });

  it('in the closed period nothing can be created, edited, deleted, submitted, given evidence or reviewed', async () => {
    const expectClosed = (res: {
      status: number;
      body: { errors?: { field: string; rule: string }[]; message?: string };
    }) => {
      expect(res.status).toBe(409);
      expect(res.body.errors?.[0]).toMatchObject({ rule: 'periodClosed' });
      expect(JSON.stringify(res.body)).toContain('2025-01-01');
    };
    expectClosed(
      await t.http
        .post('/api/v1/activities')
        .set(as('unit'))
        .send({ requirement: 'exchange_events', date: '2025-05-01', title: '补录', location: '广州' }),
    );
    expectClosed(await t.http.patch(`/api/v1/activities/${ids.draft}`).set(as('unit')).send({ title: '改' }));
    expectClosed(await t.http.post(`/api/v1/activities/${ids.draft}/submit`).set(as('unit')));
    expectClosed(await t.http.delete(`/api/v1/activities/${ids.draft}`).set(as('unit')));
    expectClosed(
      await t.http
        .post(`/api/v1/activities/${ids.draft}/evidence`)
        .set(as('unit'))
        .attach('files', join(__dirname, '../fixtures/evidence/sample.png')),
    );
    expectClosed(await t.http.post(`/api/v1/activities/${ids.submitted}/verify`).set(as('sup44')));
    expectClosed(
      await t.http.post(`/api/v1/activities/${ids.submitted}/reject`).set(as('sup44')).send({ reason: '晚' }),
    );
    // Moving a 2026 draft into the closed year is refused too; the open year takes new activities.
    const open = await t.http
      .post('/api/v1/activities')
      .set(as('unit'))
      .send({ requirement: 'exchange_events', date: '2026-03-01', title: '新年度', location: '广州' });
    expect(open.status).toBe(201);
    expectClosed(
      await t.http.patch(`/api/v1/activities/${open.body.id}`).set(as('unit')).send({ date: '2025-03-01' }),
    );
    const em = t.orm.em.fork();
    expect((await em.findOneOrFail(Activity, ids.draft)).title).toBe('exchange_events 2025-12-10');
    expect((await em.findOneOrFail(Activity, ids.submitted)).status).toBe('submitted');
  });

  it('keeps the figures frozen after a target and a rule-set change, in the unit and the scope views', async () => {
    const targets = await t.http
      .put(`/api/v1/units/${a.id}/targets`)
      .set(as('admin'))
      .send({
        targets: [
          { requirement: 'exchange_events', periodStart: '2025-01-01', minimum: 1, reason: '任务书调整' },
          { requirement: 'exchange_events', periodStart: '2026-01-01', minimum: 1, reason: '任务书调整' },
        ],
      });
    expect(targets.status).toBe(200);
    const moved = await t.http.patch(`/api/v1/units/${a.id}`).set(as('admin')).send({ ruleSetVersion: 2 });
    expect(moved.status).toBe(200);

    const after = await compliance(a, '2025-06-01');
    expect({ requirements: after.body.requirements, overall: after.body.overall }).toEqual(frozen);
    // The open year moves with the target.
    const live = await compliance(a, '2026-03-01');
    expect(live.body.closed ?? null).toBeNull();
    expect(live.body.requirements.find((r: { key: string }) => r.key === 'exchange_events')).toMatchObject({
      minimum: 1,
      status: 'met',
    });
    const scope = await t.http.get('/api/v1/compliance?province=44&at=2025-06-01').set(as('sup44'));
    const row = scope.body.rows.find((r: { unit: { id: number } }) => r.unit.id === a.id);
    expect(row.closed).toBe(true);
    expect(row.requirements.exchange_events).toMatchObject({
      verified: 2,
      pending: 1,
      minimum: 3,
      status: 'failed',
    });
  });

  it('the province year report shows the compliance API figures, frozen where closed, with rejected counts, as JSON and XLSX', async () => {
    const res = await t.http.get('/api/v1/reports/province-year?province=44&year=2025').set(as('sup44'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ province: '44', year: 2025, at: '2025-12-31', units: 2 });
    expect(res.body.cohorts.map((x: { cohort: number }) => x.cohort)).toEqual([2025]);
    const scope = await t.http.get('/api/v1/compliance?province=44&at=2025-12-31').set(as('sup44'));
    const rows = res.body.cohorts.flatMap((x: { units: unknown[] }) => x.units);
    for (const r of rows) {
      const same = scope.body.rows.find((s: { unit: { id: number } }) => s.unit.id === r.unit.id);
      for (const [key, cell] of Object.entries(same.requirements)) {
        const { rejected, ...rest } = r.requirements[key];
        expect(rest).toEqual(cell);
        expect(rejected).toBe(r.unit.id === a.id && key === 'exchange_events' ? 1 : 0);
      }
      expect(r.closed).toBe(r.unit.id === a.id);
      expect(r.shortfalls).toEqual(
        Object.keys(same.requirements).filter((k) => same.requirements[k].status !== 'met'),
      );
    }
    expect(
      (await t.http.get('/api/v1/reports/province-year?province=44&year=2025').set(as('sup11'))).status,
    ).toBe(404);
    expect(
      (await t.http.get('/api/v1/reports/province-year?province=44&year=2025').set(as('unit'))).status,
    ).toBe(403);
    expect(
      (await t.http.get('/api/v1/reports/province-year?province=44&year=99').set(as('admin'))).status,
    ).toBe(400);

    const xlsx = await t.http
      .get('/api/v1/reports/province-year?province=44&year=2025&format=xlsx&lang=en')
      .set(as('sup44'))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (d: Buffer) => chunks.push(d));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    const ws = wb.worksheets[0];
    const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    const col = (h: string) => headers.indexOf(h) + 1;
    const aRow = [...Array(ws.rowCount).keys()]
      .map((i) => ws.getRow(i + 1))
      .find((r) => r.getCell(2).value === '甲单位')!;
    const label = res.body.requirements.find((r: { key: string }) => r.key === 'exchange_events').shortLabel
      .en;
    const cell = rows.find((r: { unit: { id: number } }) => r.unit.id === a.id).requirements.exchange_events;
    expect(aRow.getCell(col(`${label} · Verified`)).value).toBe(cell.verified);
    expect(aRow.getCell(col(`${label} · Awaiting review`)).value).toBe(cell.pending);
    expect(aRow.getCell(col(`${label} · Minimum`)).value).toBe(cell.minimum);
    expect(aRow.getCell(col(`${label} · Rejected`)).value).toBe(1);
    expect(aRow.getCell(1).value).toBe(2025);
  });

  it('an admin reopens with a reason (audited): the live figures show and the period takes changes again', async () => {
    const path = `/api/v1/units/${a.id}/periods/2025/reopen`;
    expect((await t.http.post(path).set(as('sup44')).send({ reason: '补审' })).status).toBe(403);
    const noReason = await t.http.post(path).set(as('admin')).send({});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0]).toMatchObject({ field: 'reason' });
    const res = await t.http.post(path).set(as('admin')).send({ reason: '补审一项迟到的活动' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      closed: false,
      reopenedBy: ADMIN.email,
      reopenReason: '补审一项迟到的活动',
    });
    const audit = await t.orm.em.fork().find(AuditLog, { action: 'reopen', entity: 'period' });
    expect(audit).toHaveLength(1);
    expect(audit[0].changes).toMatchObject({ reason: '补审一项迟到的活动', periodStart: '2025-01-01' });
    const live = await compliance(a, '2025-06-01');
    expect(live.body.closed ?? null).toBeNull();
    expect(live.body.requirements.find((r: { key: string }) => r.key === 'exchange_events')).toMatchObject({
      minimum: 1,
      verified: 2,
    });
    expect((await t.http.post(`/api/v1/activities/${ids.submitted}/verify`).set(as('sup44'))).status).toBe(
      200,
    );
    expect((await t.http.post(path).set(as('admin')).send({ reason: 'x' })).status).toBe(409);
  });

  it('closes every ended period of a province at once: API (dry run first) and CLI', async () => {
    expect(
      (await t.http.post('/api/v1/periods/close').set(as('sup11')).send({ province: '44' })).status,
    ).toBe(404);
    expect((await t.http.post('/api/v1/periods/close').set(as('unit')).send({ province: '44' })).status).toBe(
      403,
    );
    const dry = await t.http
      .post('/api/v1/periods/close')
      .set(as('sup44'))
      .send({ province: '44', dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ province: '44', dryRun: true, alreadyClosed: 0, units: 3 });
    expect(
      dry.body.closed.map((x: { unitId: number; periodStart: string }) => [x.unitId, x.periodStart]),
    ).toEqual([
      [a.id, '2025-01-01'],
      [b.id, '2025-06-01'],
    ]);
    expect(await t.orm.em.fork().count(PeriodClose, { closedAt: { $ne: null } })).toBe(0);

    const command = new PeriodsCloseCommand(t.app.get(PeriodsService));
    let out = '';
    let err = '';
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      await command.run([], { province: '44', dryRun: true });
      expect(out).toContain('2 periods of 3 units would be closed');
      expect(await t.orm.em.fork().count(PeriodClose, { closedAt: { $ne: null } })).toBe(0);
      out = '';
      await command.run([], { province: '44' });
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(out).toContain('Closed 2 periods of 3 units; 0 were already closed');
    expect(err).toContain('3/3');
    const closed = await t.orm.em
      .fork()
      .find(PeriodClose, { closedAt: { $ne: null } }, { orderBy: { id: 'asc' } });
    expect(closed.map((x) => [x.unit.id, x.periodStart, x.closedByEmail])).toEqual([
      [a.id, '2025-01-01', null],
      [b.id, '2025-06-01', null],
    ]);
    const again = await t.http.post('/api/v1/periods/close').set(as('admin')).send({ province: '44' });
    expect(again.body).toMatchObject({ closed: [], alreadyClosed: 2 });
    // Province 11 was left alone.
    expect((await t.http.get(`/api/v1/units/${c.id}/periods`).set(as('admin'))).body.periods[0].closed).toBe(
      false,
    );
    // The reopened-then-closed period holds the newly verified activity.
    const now = await compliance(a, '2025-06-01');
    expect(now.body.requirements.find((r: { key: string }) => r.key === 'exchange_events')).toMatchObject({
      verified: 3,
    });
  });

  it('pages: the unit page marks the frozen period, the year report prints it, the bulk close form closes', async () => {
    const agent = await pageLogin(t, 'sup44@close.cn', PASSWORD);
    const unitPage = await agent.get(`/units/${a.id}?at=2025-06-01`);
    expect(unitPage.status).toBe(200);
    expect(unitPage.text).toContain('data-testid="period-frozen"');
    const year = await agent.get('/reports/province-year?province=44&year=2025');
    expect(year.status).toBe(200);
    expect(year.text).toContain('data-testid="frozen"');
    expect(year.text).toContain('甲单位');
    expect(year.text).toContain('data-cohort="2025"');
    const bulk = await agent
      .post('/reports/province-year/close')
      .type('form')
      .send({ _csrf: csrfOf(year.text), province: '44', year: '2025' });
    expect(bulk.status).toBe(303);
    expect(bulk.headers.location).toContain('closed=0');
    expect((await agent.get('/reports/province-year?province=11&year=2025')).status).toBe(404);
  });
});
