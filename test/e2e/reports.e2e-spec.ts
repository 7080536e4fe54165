import ExcelJS from 'exceljs';
import { ModuleRef } from '@nestjs/core';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { dayNumber } from '@app/compliance';
import { AuditLog, OutboxMessage, ReportRun, Unit, User } from '@app/db';
import { OutboxService, OutboxWorker } from '@app/mail';
import { DemoSeedService, type DemoSeedSummary } from '../../apps/tracker/src/demo/demo-seed.service';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { pngSize, type ReceivedMail, startSmtp, type TestSmtpServer } from '../support/smtp';
import { STATUS_ZH, stillNeededZh } from '../support/still-needed';

const TODAY = '2026-06-01';
const PERIOD = '2026-06';
const CHART = { width: 632, height: 316 };

interface ApiRequirement {
  key: string;
  label: { zh: string; en: string };
  shortLabel: { zh: string; en: string };
  unit: { zh: string; en: string };
  period: { start: string; end: string };
  verified: number;
  pending: number;
  minimum: number;
  pace: number;
  remaining: number;
  remainingPending: number;
  daysLeft: number;
  status: string;
}

describe('monthly reports: one mail per unit contact and supervisor, numbers equal to the API', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let admin: string;
  let seeded: DemoSeedSummary;
  let contacts: { unitId: number; unitName: string; email: string; locale: string }[];
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp(
      { SMTP_URL: smtp.url, PUBLIC_URL: 'https://tracker.example.gov.cn' },
      { today: TODAY },
    );
    admin = await t.login(ADMIN.email, ADMIN.password);
    seeded = await (
      await t.app.get(ModuleRef).create(DemoSeedService)
    ).seed({ province: '44', units: 5, year: 2026 });

    const em = t.orm.em.fork();
    // One contact reads English; one address serves two units (one mail per unit); one unit is revoked.
    const units = await em.find(Unit, { province: '44' }, { orderBy: { id: 'asc' } });
    units[0].contacts = [
      ...units[0].contacts,
      { name: 'Alice Wang', email: 'alice@example.com', locale: 'en' },
    ];
    units[1].contacts = [...units[1].contacts, { name: '共用联系人', email: 'shared@example.com' }];
    units[2].contacts = [...units[2].contacts, { name: '共用联系人', email: 'SHARED@example.com' }];
    units[4].status = 'revoked';
    // An English supervisor of the same province, one of another province (no units), one inactive.
    const hash = (
      await em.findOneOrFail(User, { email: seeded.supervisor.email }, { populate: ['passwordHash'] })
    ).passwordHash;
    for (const u of [
      {
        email: 'en-sup@example.gov.cn',
        name: 'Bob Li',
        provinces: ['44'],
        locale: 'en' as const,
        active: true,
      },
      {
        email: 'sup-11@example.gov.cn',
        name: '北京监管',
        provinces: ['11'],
        locale: 'zh' as const,
        active: true,
      },
      { email: 'gone@example.gov.cn', name: '离职', provinces: ['44'], locale: 'zh' as const, active: false },
    ]) {
      em.create(User, { ...u, passwordHash: hash, role: 'supervisor' });
    }
    await em.flush();
    contacts = units
      .filter((u) => u.status !== 'revoked')
      .flatMap((u) =>
        u.contacts.map((c) => ({
          unitId: u.id,
          unitName: u.name,
          email: c.email.toLowerCase(),
          locale: c.locale ?? 'zh',
        })),
      );
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('an admin runs the period now: one outbox row per unit contact and active supervisor', async () => {
    const res = await t.http.post('/api/v1/reports/runs').set(auth(admin)).send({ period: PERIOD });
    expect(res.status).toBe(201);
    const supervisors = 3; // the seeded one, the English one, the one of province 11
    expect(res.body).toMatchObject({
      period: PERIOD,
      asOf: TODAY,
      trigger: 'manual',
      recipients: contacts.length + supervisors,
      queued: contacts.length + supervisors,
      existing: { queued: 0, sending: 0, sent: 0, failed: 0 },
    });
    const run = await t.orm.em.fork().findOneOrFail(ReportRun, { id: res.body.runId });
    expect(run).toMatchObject({ period: PERIOD, trigger: 'manual', queued: contacts.length + supervisors });
  });

  it('the worker delivers exactly one mail per unit contact and per supervisor', async () => {
    const summary = await t.app.get(OutboxWorker).processDue();
    expect(summary).toMatchObject({ sent: contacts.length + 3, failed: 0, retrying: 0 });
    expect(smtp.received).toHaveLength(contacts.length + 3);
    for (const c of contacts) {
      const got = mailsTo(c.email).filter((m) => m.parsed.subject?.includes(c.unitName));
      expect({ to: c.email, unit: c.unitId, mails: got.length }).toEqual({
        to: c.email,
        unit: c.unitId,
        mails: 1,
      });
    }
    expect(mailsTo('shared@example.com')).toHaveLength(2);
    for (const s of [seeded.supervisor.email, 'en-sup@example.gov.cn', 'sup-11@example.gov.cn']) {
      expect({ to: s, mails: mailsTo(s).length }).toEqual({ to: s, mails: 1 });
    }
    expect(mailsTo('gone@example.gov.cn')).toHaveLength(0);
    const em = t.orm.em.fork();
    expect(await em.count(OutboxMessage, { period: PERIOD, status: 'sent' })).toBe(contacts.length + 3);
    expect(await em.count(AuditLog, { action: 'mail_sent' })).toBe(contacts.length + 3);
  });

  it('unit reports: Chinese subject and body, numbers equal to GET /units/:id/compliance, PNG charts by cid', async () => {
    for (const c of contacts.filter((x) => x.locale === 'zh')) {
      const [mail] = mailsTo(c.email).filter((m) => m.parsed.subject?.includes(c.unitName));
      const p = mail.parsed;
      expect(p.subject).toBe(`【示范项目月报】${c.unitName} · 2026年6月`);
      expect(p.text).toContain('各项任务完成情况');
      expect(p.text).toContain('数据截至 2026年6月1日');
      expect(p.html).toContain('https://tracker.example.gov.cn/');

      const api = await t.http.get(`/api/v1/units/${c.unitId}/compliance`).set(auth(admin));
      expect(api.status).toBe(200);
      for (const r of api.body.requirements as ApiRequirement[]) {
        // The text part has one "label：value" line per requirement (no columns padded with spaces).
        const line = p.text!.split('\n').find((l) => l.startsWith(`- ${r.label.zh}：`));
        expect({ key: r.key, line }).toEqual({
          key: r.key,
          line:
            `- ${r.label.zh}：已核实 ${r.verified}，待审核 ${r.pending}，最低要求 ${r.minimum}，` +
            `应达进度 ${r.pace}，状态 ${STATUS_ZH[r.status]}`,
        });
      }
      await expectInlineCharts(mail, ['bars@report', 'cumulative@report']);
    }
  });

  it('unit reports list every requirement not yet met with what is still needed, the API’s numbers', async () => {
    let lines = 0;
    for (const c of contacts.filter((x) => x.locale === 'zh')) {
      const [mail] = mailsTo(c.email).filter((m) => m.parsed.subject?.includes(c.unitName));
      const text = mail.parsed.text!;
      const api = await t.http.get(`/api/v1/units/${c.unitId}/compliance`).set(auth(admin));
      const reqs = api.body.requirements as ApiRequirement[];
      for (const r of reqs) {
        // The API's own figures agree with each other: still needed = minimum − verified, days to the end.
        expect({ key: r.key, remaining: r.remaining, daysLeft: r.daysLeft }).toEqual({
          key: r.key,
          remaining: Math.max(0, r.minimum - r.verified),
          daysLeft: Math.max(0, dayNumber(r.period.end) - dayNumber(TODAY)),
        });
        const line = `- [${STATUS_ZH[r.status]}] ${stillNeededZh(r, r.shortLabel.zh, r.unit.zh, TODAY)}`;
        if (r.remaining > 0) {
          expect({ unit: c.unitName, key: r.key, line, found: text.includes(line) }).toEqual({
            unit: c.unitName,
            key: r.key,
            line,
            found: true,
          });
          lines++;
        } else {
          expect(text).not.toContain(`${r.shortLabel.zh}还需`);
        }
      }
      if (reqs.some((r) => r.remaining > 0)) {
        expect(text).not.toContain('各项任务均已达标');
        expect(text).not.toContain('目前没有进度不足的任务');
      } else {
        expect(text).toContain('本考核期各项任务均已达标');
      }
    }
    expect(lines).toBeGreaterThan(0);
  });

  it('a contact who prefers English gets the English report', async () => {
    const [mail] = mailsTo('alice@example.com');
    expect(mail.parsed.subject).toMatch(/^Monthly progress report: .+, Jun 2026$/);
    expect(mail.parsed.text).toContain('Progress by requirement');
    expect(mail.parsed.text).toContain('Dear Alice Wang,');
    await expectInlineCharts(mail, ['bars@report', 'cumulative@report']);
  });

  it('rejected activities waiting for correction are listed in the unit report', async () => {
    const em = t.orm.em.fork();
    const rejected = await em
      .getConnection()
      .execute<{ unit_id: number; title: string }[]>(
        `select "unit_id", "title" from "activities" where "status" = 'rejected' and "deleted_at" is null`,
      );
    expect(rejected.length).toBeGreaterThan(0);
    for (const a of rejected) {
      const c = contacts.find((x) => x.unitId === a.unit_id && x.locale === 'zh');
      if (!c) continue;
      const [mail] = mailsTo(c.email).filter((m) => m.parsed.subject?.includes(c.unitName));
      expect(mail.parsed.text).toContain(a.title);
    }
  });

  it('supervisor digest: units in scope, review queue, two charts and an XLSX of the table and activities', async () => {
    const [mail] = mailsTo(seeded.supervisor.email);
    const p = mail.parsed;
    expect(p.subject).toBe('【示范项目月报】监管汇总 · 广东省 · 2026年6月');
    const scope = await t.http.get('/api/v1/compliance').set(auth(admin)).query({ province: '44' });
    const live = (scope.body.rows as { unit: { name: string; status: string } }[]).filter(
      (r) => r.unit.status !== 'revoked',
    );
    expect(live).toHaveLength(4);
    expect(p.text).toContain(`广东省共 4 家示范单位`);
    for (const r of live) expect(p.text).toContain(r.unit.name);
    expect(p.text).toContain('待审核的活动');

    // Every unit with a requirement not yet met, whatever its status, with the API's still-needed figures.
    const columns = scope.body.requirements as {
      key: string;
      shortLabel: { zh: string };
      unit: { zh: string };
    }[];
    const rows = live as unknown as {
      unit: { name: string };
      overall: string;
      requirements: Record<string, ApiRequirement>;
    }[];
    let listed = 0;
    const sentences = new Map<string, string[]>();
    for (const row of rows) {
      const worstFirst = ['failed', 'shortfall', 'at_risk', 'on_track'];
      const expected = columns
        .filter((q) => row.requirements[q.key]?.remaining > 0)
        .sort(
          (a, b) =>
            worstFirst.indexOf(row.requirements[a.key].status) -
            worstFirst.indexOf(row.requirements[b.key].status),
        )
        .map((q) => {
          const c = row.requirements[q.key];
          return { status: c.status, text: stillNeededZh(c, q.shortLabel.zh, q.unit.zh, TODAY) };
        });
      sentences.set(
        row.unit.name,
        expected.map((e) => e.text),
      );
      const head = `- [${STATUS_ZH[row.overall]}] ${row.unit.name}（广东省）`;
      if (!expected.length) {
        expect(p.text).not.toContain(head);
        continue;
      }
      listed++;
      const lines = p.text!.split('\n');
      const at = lines.indexOf(head);
      expect({ unit: row.unit.name, listed: at >= 0 }).toEqual({ unit: row.unit.name, listed: true });
      // One line per requirement not yet met, worst status first (rule-set order within a status), no more.
      expect(lines.slice(at + 1, at + 1 + expected.length)).toEqual(
        expected.map((e) => `  · [${STATUS_ZH[e.status]}] ${e.text}`),
      );
      expect(lines[at + 1 + expected.length] ?? '').not.toMatch(/^ {2}·/);
    }
    expect(listed).toBeGreaterThan(0);
    await expectInlineCharts(mail, ['share@report', 'status@report']);

    const xlsx = p.attachments.find((a) => a.filename === '示范项目监管汇总-2026-06.xlsx');
    expect(xlsx?.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx!.content as unknown as ArrayBuffer);
    const summary = wb.getWorksheet('汇总')!;
    expect(summary.rowCount).toBe(1 + 4);
    const names = summary.getColumn(1).values.slice(2);
    expect([...names].sort()).toEqual(live.map((r) => r.unit.name).sort());
    // The last column: what each unit still needs, the mail's lines.
    expect(summary.getRow(1).getCell(summary.columnCount).value).toBe('还需');
    for (let i = 2; i <= summary.rowCount; i++) {
      const name = String(summary.getRow(i).getCell(1).value);
      const want = sentences.get(name)?.length ? sentences.get(name)!.join('\n') : '各项任务均已达标';
      expect({ name, needed: summary.getRow(i).getCell(summary.columnCount).value }).toEqual({
        name,
        needed: want,
      });
    }
    const activities = wb.getWorksheet('活动')!;
    const count = await t.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number | string }[]>(
        `select count(*) as n from "activities" a join "units" u on u.id = a.unit_id
         where u.province = '44' and u.status <> 'revoked' and a.status <> 'draft' and a.deleted_at is null
           and a.date between '2026-01-01' and '2026-12-31'`,
      );
    expect(activities.rowCount - 1).toBe(Number(count[0].n));

    const [en] = mailsTo('en-sup@example.gov.cn');
    expect(en.parsed.subject).toBe('Monthly digest: Guangdong, Jun 2026');
    const [empty] = mailsTo('sup-11@example.gov.cn');
    expect(empty.parsed.text).toContain('您的监管范围内目前没有示范单位');
  });

  it('running the period again creates nothing new and sends nothing', async () => {
    const before = smtp.received.length;
    const res = await t.http.post('/api/v1/reports/runs').set(auth(admin)).send({ period: PERIOD });
    expect(res.body).toMatchObject({ queued: 0, existing: { sent: contacts.length + 3 } });
    expect(await t.app.get(OutboxWorker).processDue()).toMatchObject({ claimed: 0 });
    expect(smtp.received.length).toBe(before);
    const list = await t.http.get(`/api/v1/outbox?period=${PERIOD}&kind=unit_report`).set(auth(admin));
    expect(list.body.total).toBe(contacts.length);
  });

  it('a report whose unit is gone fails for good with the reason, without sending', async () => {
    const em = t.orm.em.fork();
    const key = 'unit_report:2026-06:999999:ghost@example.com';
    await t.app.get(OutboxService).enqueue(
      [
        {
          idempotencyKey: key,
          kind: 'unit_report',
          period: PERIOD,
          asOf: TODAY,
          recipient: 'ghost@example.com',
          unitId: 999999,
        },
      ],
      em,
    );
    expect(await t.app.get(OutboxWorker).processDue()).toMatchObject({ claimed: 1, failed: 1 });
    const row = await em.fork().findOneOrFail(OutboxMessage, { idempotencyKey: key });
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toBe('render: Not found: unit 999999');
    expect(mailsTo('ghost@example.com')).toHaveLength(0);
  });

  it('refuses a bad run request, naming the field, and non-admins', async () => {
    for (const body of [{ period: '2026-6' }, { period: '2026-13' }, {}, { period: '2026-06', extra: 1 }]) {
      const res = await t.http.post('/api/v1/reports/runs').set(auth(admin)).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    const sup = await t.login(seeded.supervisor.email, seeded.password);
    expect((await t.http.post('/api/v1/reports/runs').set(auth(sup)).send({ period: PERIOD })).status).toBe(
      403,
    );
    const runs = await t.http.get('/api/v1/reports/runs').set(auth(admin));
    expect(runs.body.total).toBe(2);
  });

  describe('previews (nothing is sent)', () => {
    let unitUser: string;
    let sup: string;
    let own: number;
    let other: number;
    beforeAll(async () => {
      own = seeded.units[0].id;
      other = seeded.units[1].id;
      unitUser = await t.login(seeded.units[0].email, seeded.password);
      sup = await t.login(seeded.supervisor.email, seeded.password);
    });

    it('a unit user previews their own report as HTML with chart URLs; other units are 404', async () => {
      const before = smtp.received.length;
      const res = await t.http.get(`/api/v1/reports/units/${own}?period=${PERIOD}`).set(auth(unitUser));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['content-security-policy']).toContain("style-src 'unsafe-inline'");
      expect(res.text).toContain('各项任务完成情况');
      expect(res.text).toContain(
        `src="/api/v1/reports/units/${own}/charts/bars?period=${PERIOD}&amp;locale=zh"`,
      );
      expect(res.text).not.toContain('cid:');
      expect((await t.http.get(`/api/v1/reports/units/${other}`).set(auth(unitUser))).status).toBe(404);
      expect(smtp.received.length).toBe(before);

      const png = await t.http
        .get(`/api/v1/reports/units/${own}/charts/cumulative?period=${PERIOD}`)
        .set(auth(unitUser))
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(png.status).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(pngSize(png.body as Buffer)).toEqual(CHART);
    });

    it('supervisors preview units in scope and their own digest; admins any digest', async () => {
      expect((await t.http.get(`/api/v1/reports/units/${other}?locale=en`).set(auth(sup))).text).toContain(
        'Progress by requirement',
      );
      const digest = await t.http.get(`/api/v1/reports/digest?period=${PERIOD}`).set(auth(sup));
      expect(digest.status).toBe(200);
      expect(digest.text).toContain('监管汇总');
      expect(digest.text).toContain('/api/v1/reports/digest/charts/share');
      const me = await t.http.get('/api/v1/auth/me').set(auth(admin));
      expect((await t.http.get(`/api/v1/reports/digest?userId=${me.body.id}`).set(auth(sup))).status).toBe(
        404,
      );
      expect((await t.http.get('/api/v1/reports/digest').set(auth(unitUser))).status).toBe(403);
      const all = await t.http.get('/api/v1/reports/digest?locale=en').set(auth(admin));
      expect(all.text).toContain('all provinces');
      const supId = seeded.supervisor.id;
      expect((await t.http.get(`/api/v1/reports/digest?userId=${supId}`).set(auth(admin))).status).toBe(200);
      const chart = await t.http.get('/api/v1/reports/digest/charts/status').set(auth(sup));
      expect(chart.headers['content-type']).toBe('image/png');
      const book = await t.http.get('/api/v1/reports/digest/workbook').set(auth(sup));
      expect(book.status).toBe(200);
      expect(book.headers['content-disposition']).toContain('attachment');
    });

    it('refuses bad preview input with 400 naming the field', async () => {
      for (const [url, field] of [
        [`/api/v1/reports/units/${own}?period=26-06`, 'period'],
        [`/api/v1/reports/units/${own}?locale=fr`, 'locale'],
        [`/api/v1/reports/units/${own}/charts/pie`, 'chart'],
        ['/api/v1/reports/units/abc', 'id'],
        ['/api/v1/reports/digest?userId=-1', 'userId'],
        ['/api/v1/reports/digest/charts/bars', 'chart'],
      ]) {
        const res = await t.http.get(url).set(auth(admin));
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expect({ url, fields: res.body.errors?.map((e: { field: string }) => e.field) }).toEqual({
          url,
          fields: expect.arrayContaining([field]),
        });
      }
    });
  });
});

/**
 * The HTML shows each chart by cid (never a data: URI) and the mail carries it as a PNG of the chart
 * size that an image decoder reads, with more than one colour in it (something was drawn).
 */
async function expectInlineCharts(mail: ReceivedMail, cids: string[]) {
  const html = mail.parsed.html as string;
  expect(html).not.toContain('data:');
  for (const cid of cids) {
    expect(html).toContain(`src="cid:${cid}"`);
    const att = mail.parsed.attachments.find((a) => a.contentId === `<${cid}>`);
    expect({ cid, type: att?.contentType, size: att && pngSize(att.content) }).toEqual({
      cid,
      type: 'image/png',
      size: CHART,
    });
    const img = await loadImage(att!.content);
    expect({ width: img.width, height: img.height }).toEqual(CHART);
    const canvas = createCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, img.width, img.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < px.length && colours.size < 3; i += 4 * 97)
      colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    expect(colours.size).toBeGreaterThan(2);
  }
}
