import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { ModuleRef } from '@nestjs/core';
import { RequestContext } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { Activity, Unit, User } from '@app/db';
import { OutboxWorker } from '@app/mail';
import { MAX_QUEUE_ROWS, MAX_TABLE_ROWS, provinceName } from '@app/reporting/mail';
import { ComplianceService } from '../../apps/tracker/src/compliance/compliance.service';
import { DemoSeedService } from '../../apps/tracker/src/demo/demo-seed.service';
import { ChartRenderer } from '../../apps/tracker/src/reports/chart-renderer.service';
import { REPORTED_UNIT_STATUSES, ReportBuilder } from '../../apps/tracker/src/reports/report-builder.service';
import { ReportMails } from '../../apps/tracker/src/reports/report-mails.service';
import { ReportQueries } from '../../apps/tracker/src/reports/report-queries';
import { ReportsService } from '../../apps/tracker/src/reports/reports.service';
import { createTestApp, type TestApp } from '../support/test-app';

const TODAY = '2026-06-01';
const PERIOD = '2026-06';

/** What a query sent and got back (knex's query-response event). */
interface Answered {
  sql: string;
  bindings: unknown[];
  rows: number;
}

describe('monthly reports at scale: work done once per unit, digests bounded whatever the scope', () => {
  let t: TestApp;
  let answered: Answered[] = [];
  const onResponse = (response: unknown, q: { sql: string; bindings?: unknown[] }) => {
    const rows = Array.isArray(response)
      ? response.length
      : Array.isArray((response as { rows?: unknown[] })?.rows)
        ? (response as { rows: unknown[] }).rows.length
        : 0;
    answered.push({ sql: q.sql, bindings: q.bindings ?? [], rows });
  };
  const knex = () => (t.orm.em.getConnection() as AbstractSqlConnection).getKnex();

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    await (await t.app.get(ModuleRef).create(DemoSeedService)).seed({ province: '44', units: 3, year: 2026 });
    knex().on('query-response', onResponse);
  });
  afterAll(async () => {
    knex().off('query-response', onResponse);
    await t?.close();
  });

  it("works out a unit's figures and charts once for its three contacts, who all get the same figures", async () => {
    const em = t.orm.em.fork();
    const [unit, ...others] = await em.find(Unit, { province: '44' }, { orderBy: { id: 'asc' } });
    const names = ['王甲', '李乙', '张丙'];
    unit.contacts = names.map((name, i) => ({ name, email: `contact${i}@unit.example.cn` }));
    for (const u of others) u.contacts = [];
    await em.flush();
    // Only unit mails in this run: no digest charts or figures.
    await em.nativeUpdate(User, { role: 'supervisor' }, { active: false });

    const forUnit = jest.spyOn(t.app.get(ComplianceService), 'forUnit');
    const charts = jest.spyOn(t.app.get(ChartRenderer), 'render');
    try {
      const run = await t.app.get(ReportsService).run(PERIOD, { trigger: 'manual' });
      expect(run).toMatchObject({ recipients: 3, queued: 3 });
      expect(await t.app.get(OutboxWorker).processDue({ period: PERIOD })).toMatchObject({ sent: 3 });
      expect(forUnit.mock.calls.filter(([u]) => u.id === unit.id)).toHaveLength(1);
      expect(charts).toHaveBeenCalledTimes(2);
    } finally {
      forUnit.mockRestore();
      charts.mockRestore();
      await em.nativeUpdate(User, { role: 'supervisor' }, { active: true });
    }

    const dir = join(t.dataDir, 'mail');
    const mails = await Promise.all(
      readdirSync(dir)
        .filter((f) => f.startsWith('unit_report'))
        .map(async (f) => simpleParser(readFileSync(join(dir, f)))),
    );
    expect(mails).toHaveLength(3);
    const greeting = (n: string) => `${n}，您好：`;
    const bodies = names.map((n) => {
      const mail = mails.find((m) => m.text?.includes(greeting(n)));
      expect({ contact: n, found: !!mail }).toEqual({ contact: n, found: true });
      return {
        text: mail!.text!.replace(greeting(n), ''),
        html: String(mail!.html).replace(greeting(n), ''),
        charts: mail!.attachments.map((a) => `${a.contentId} ${a.content.toString('base64')}`),
      };
    });
    expect(bodies[0].charts).toHaveLength(2);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(bodies[0].text).toContain('各项任务完成情况');
  });

  it('a digest counts the whole review queue in SQL and reads only the oldest rows it lists', async () => {
    const em = t.orm.em.fork();
    const units = await em.find(Unit, { province: '44' }, { orderBy: { id: 'asc' } });
    const revoked = em.create(Unit, {
      name: '已撤销单位',
      creditCode: '91440000REVOKED001',
      province: '44',
      industry: '现代物流',
      kind: 'enterprise',
      program: units[0].program,
      ruleSetVersion: units[0].ruleSetVersion,
      cycleStart: '2026-01-01',
      cycleEnd: '2027-12-31',
      status: 'revoked',
    });
    const elsewhere = em.create(Unit, {
      name: '外省单位',
      creditCode: '91110000ELSEWHERE1',
      province: '11',
      industry: '旅游',
      kind: 'enterprise',
      program: units[0].program,
      ruleSetVersion: units[0].ruleSetVersion,
      cycleStart: '2026-01-01',
      cycleEnd: '2027-12-31',
    });
    const submitted = (unit: Unit, i: number, extra: Partial<Activity> = {}) =>
      em.create(Activity, {
        unit,
        requirement: 'work_updates',
        date: '2026-05-10',
        title: `待审核 ${unit.name} ${i}`,
        recipient: '省市场监管局',
        status: 'submitted',
        // Older than anything the demo seed submitted, a day apart.
        submittedAt: new Date(Date.UTC(2025, 0, 1 + i)),
        ...extra,
      });
    for (let i = 0; i < 45; i++) submitted(units[i % units.length], i);
    for (let i = 0; i < 5; i++) submitted(revoked, i);
    for (let i = 0; i < 5; i++) submitted(elsewhere, i);
    for (let i = 0; i < 5; i++) submitted(units[0], i, { deletedAt: new Date() });
    await em.flush();

    const [{ n }] = await em.getConnection().execute<{ n: number | string }[]>(
      `select count(*) as n from "activities" a join "units" u on u.id = a.unit_id
       where u.province = '44' and u.status in ('active', 'under_evaluation') and u.deleted_at is null
         and a.status = 'submitted' and a.deleted_at is null`,
    );
    const oldest = await em.getConnection().execute<{ id: number }[]>(
      `select a.id from "activities" a join "units" u on u.id = a.unit_id
       where u.province = '44' and u.status in ('active', 'under_evaluation') and u.deleted_at is null
         and a.status = 'submitted' and a.deleted_at is null
       order by a.submitted_at, a.id limit ${MAX_QUEUE_ROWS}`,
    );
    expect(Number(n)).toBeGreaterThan(45);

    answered = [];
    const { model } = await t.app.get(ReportBuilder).digest(['44'], PERIOD, TODAY, 'zh');
    expect(model.queueTotal).toBe(Number(n));
    expect(model.queue.map((a) => a.id)).toEqual(oldest.map((a: { id: number }) => Number(a.id)));
    expect(model.queue[0]).toMatchObject({ unitName: units[0].name, title: `待审核 ${units[0].name} 0` });
    expect(model.queue[0].submittedAt).toEqual(new Date(Date.UTC(2025, 0, 1)));
    // No statement on the activities about submitted ones brought back more rows than the mail lists.
    const queueReads = answered.filter(
      (q) =>
        q.sql.includes('activities') && (q.sql.includes("'submitted'") || q.bindings.includes('submitted')),
    );
    expect(queueReads.length).toBeGreaterThan(0);
    expect(Math.max(...queueReads.map((q) => q.rows))).toBeLessThanOrEqual(MAX_QUEUE_ROWS);
  });

  it('reads the workbook activities in keyset pages of plain rows: the same rows, in order, as one read', async () => {
    const queries = t.app.get(ReportQueries);
    const scope = { provinces: ['44'], unitStatuses: REPORTED_UNIT_STATUSES };
    const pages: number[] = [];
    const paged = [];
    for await (const page of queries.activityPages(scope, '2026-01-01', '2026-12-31', 7)) {
      pages.push(page.length);
      paged.push(...page);
    }
    const whole = [];
    for await (const page of queries.activityPages(scope, '2026-01-01', '2026-12-31', 1_000_000)) {
      whole.push(...page);
    }
    // Units listed two at a time: the same rows in the same order.
    const batched = [];
    for await (const page of queries.activityPages(scope, '2026-01-01', '2026-12-31', 7, 2)) {
      batched.push(...page);
    }
    expect(pages.length).toBeGreaterThan(3);
    expect(pages.slice(0, -1).every((n) => n === 7)).toBe(true);
    expect(paged).toEqual(whole);
    expect(batched).toEqual(whole);
    expect(new Set(whole.map((r) => r.unitId)).size).toBeGreaterThan(2);
    const key = (r: { unitId: number; date: string; id: number }) =>
      `${String(r.unitId).padStart(9, '0')} ${r.date} ${String(r.id).padStart(9, '0')}`;
    expect(paged.map(key)).toEqual(paged.map(key).sort());
    expect(Object.getPrototypeOf(paged[0])).toBe(Object.prototype);
    const [{ n }] = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number | string }[]>(
        `select count(*) as n from "activities" a join "units" u on u.id = a.unit_id
       where u.province = '44' and u.status in ('active', 'under_evaluation') and u.deleted_at is null
         and a.status <> 'draft' and a.deleted_at is null and a.date between '2026-01-01' and '2026-12-31'`,
      );
    expect(paged).toHaveLength(Number(n));
    expect(new Set(paged.map((r) => r.status))).not.toContain('draft');
  });

  it('a digest of more units than the mail lists: totals of all, the first 200 and how many more, every unit in the workbook', async () => {
    const em = t.orm.em.fork();
    const [model0] = await em.find(Unit, { province: '44' }, { orderBy: { id: 'asc' }, limit: 1 });
    const count = MAX_TABLE_ROWS + 30;
    for (let i = 0; i < count; i++) {
      em.create(Unit, {
        name: `宁夏示范单位${String(i).padStart(3, '0')}`,
        creditCode: `916400${String(i).padStart(12, '0')}`,
        province: '64',
        industry: '养老服务',
        kind: 'enterprise',
        program: model0.program,
        ruleSetVersion: model0.ruleSetVersion,
        cycleStart: '2026-01-01',
        cycleEnd: '2027-12-31',
      });
    }
    const sup = em.create(User, {
      email: 'sup-64@example.gov.cn',
      name: '宁夏监管',
      passwordHash: 'x',
      role: 'supervisor',
      provinces: ['64'],
    });
    await em.flush();

    const { model } = await t.app.get(ReportBuilder).digest(['64'], PERIOD, TODAY, 'zh');
    // Nothing logged yet: every unit still needs something. The model keeps only the rows shown.
    expect(model.totals.units).toBe(count);
    expect(model).toMatchObject({ rowsTotal: count, neededTotal: count });
    expect(model.rows).toHaveLength(MAX_TABLE_ROWS);

    const mail = await RequestContext.create(t.orm.em, () =>
      t.app.get(ReportMails).render({
        kind: 'supervisor_digest',
        period: PERIOD,
        asOf: TODAY,
        locale: 'zh',
        userId: sup.id,
        recipientName: sup.name,
      }),
    );
    const truncated = `邮件中仅列出前 ${MAX_TABLE_ROWS} 家单位，共 ${count} 家，完整表格见附件。`;
    expect(mail.text.split(truncated)).toHaveLength(3); // under the still-needed list and the table
    expect(mail.html.split(truncated)).toHaveLength(3);
    const listed = mail.text.split('\n').filter((l) => /^- \[.+\] 宁夏示范单位\d{3}（/.test(l));
    expect(listed).toHaveLength(MAX_TABLE_ROWS);
    expect(mail.text).toContain(`${provinceName('zh', '64')}共 ${count} 家示范单位`);

    const xlsx = mail.attachments.find((a) => a.filename.endsWith('.xlsx'))!;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.content as unknown as ArrayBuffer);
    const summary = wb.getWorksheet('汇总')!;
    expect(summary.rowCount).toBe(1 + count);
    const names = summary.getColumn(1).values.slice(2).map(String).sort();
    expect(names).toEqual(
      Array.from({ length: count }, (_, i) => `宁夏示范单位${String(i).padStart(3, '0')}`),
    );
    expect(wb.getWorksheet('活动')!.rowCount).toBe(1);
  });
});
