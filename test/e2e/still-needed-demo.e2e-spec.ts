import { ModuleRef } from '@nestjs/core';
import { OutboxWorker } from '@app/mail';
import { Unit } from '@app/db';
import { DemoSeedService, type DemoSeedSummary } from '../../apps/tracker/src/demo/demo-seed.service';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { startSmtp, type TestSmtpServer } from '../support/smtp';
import { STATUS_ZH, stillNeededZh } from '../support/still-needed';

/*
 * Acceptance of SPEC §3 v2 (pace rounded half up, "still needed" everywhere) on the demonstration data,
 * the mail half (the page half is test/browser/still-needed-demo.e2e-spec.ts). On 1 December a unit with
 * 0 of 1 national papers is behind pace: pace = (2 × 1 × 335 + 365) div 730 = 1 for a calendar year
 * (days 1 January..1 December = 335 of 365), so verified 0 < 1 is at risk (one submitted) or a shortfall,
 * never "on track"; and its mails say the paper is still needed, with 30 days left.
 */

const TODAY = '2026-12-01';
const PERIOD = '2026-12';
const BEHIND = ['shortfall', 'at_risk'];

interface Cell {
  verified: number;
  pending: number;
  minimum: number;
  pace: number;
  remaining: number;
  remainingPending: number;
  daysLeft: number;
  status: string;
}

describe('demo data on 1 December: no paper means behind pace and still needed, in every mail', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let admin: string;
  let seeded: DemoSeedSummary;
  let columns: { key: string; shortLabel: { zh: string; en: string }; unit: { zh: string; en: string } }[];
  let rows: { unit: { id: number; name: string }; overall: string; requirements: Record<string, Cell> }[];
  /** Units with 0 verified of a minimum of 1 national paper. */
  let paperless: typeof rows;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email.toLowerCase()));

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp(
      { SMTP_URL: smtp.url, PUBLIC_URL: 'https://tracker.example.gov.cn' },
      { today: TODAY },
    );
    admin = await t.login(ADMIN.email, ADMIN.password);
    seeded = await (await t.app.get(ModuleRef).create(DemoSeedService)).seed({ province: '44', units: 20 });
    const scope = await t.http.get('/api/v1/compliance?province=44&pageSize=100').set(auth(admin));
    expect(scope.status).toBe(200);
    columns = scope.body.requirements;
    rows = scope.body.rows;
    paperless = rows.filter(
      (r) => r.requirements.national_papers?.minimum === 1 && r.requirements.national_papers.verified === 0,
    );

    const run = await t.http.post('/api/v1/reports/runs').set(auth(admin)).send({ period: PERIOD });
    expect(run.status).toBe(201);
    expect(run.body.asOf).toBe(TODAY);
    const sent = await t.app.get(OutboxWorker).processDue();
    expect(sent).toMatchObject({ failed: 0, retrying: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('the demo has such units, and the compliance API puts each behind pace, 1 paper still needed, 30 days left', () => {
    expect(seeded.today).toBe(TODAY);
    expect(rows).toHaveLength(20);
    // Some demo units have had no paper verified by December (the case that read "进度正常" before v2).
    expect(paperless.length).toBeGreaterThan(0);
    for (const r of paperless) {
      const c = r.requirements.national_papers;
      expect({ unit: r.unit.name, pace: c.pace, behind: BEHIND.includes(c.status) }).toEqual({
        unit: r.unit.name,
        pace: 1,
        behind: true,
      });
      expect({ remaining: c.remaining, daysLeft: c.daysLeft }).toEqual({ remaining: 1, daysLeft: 30 });
      expect(r.overall).not.toBe('on_track');
      expect(r.overall).not.toBe('met');
    }
  });

  it('each such unit’s own mail: national papers behind pace, with its still-needed line', async () => {
    const em = t.orm.em.fork();
    let checked = 0;
    for (const r of paperless) {
      const unit = await em.findOneOrFail(Unit, r.unit.id);
      const c = r.requirements.national_papers;
      const api = await t.http.get(`/api/v1/units/${unit.id}/compliance`).set(auth(admin));
      const papers = (api.body.requirements as ({ key: string; label: { zh: string } } & Cell)[]).find(
        (q) => q.key === 'national_papers',
      )!;
      // The unit's own figures are the scope's.
      expect({ ...papers, key: undefined, label: undefined }).toMatchObject(c);
      for (const contact of unit.contacts) {
        const [mail] = mailsTo(contact.email).filter((m) => m.parsed.subject?.includes(unit.name));
        expect({ unit: unit.name, to: contact.email, mail: !!mail }).toEqual({
          unit: unit.name,
          to: contact.email,
          mail: true,
        });
        const text = mail.parsed.text!;
        if (contact.locale === 'en') {
          const pending = c.remainingPending ? ' (1 awaiting review)' : '';
          expect(text).toContain(
            `Papers in national journals: 1 more paper needed${pending}, 30 days left until 31 December`,
          );
          expect(text).not.toContain('Every requirement of this period is met');
        } else {
          const line = `- [${STATUS_ZH[c.status]}] ${stillNeededZh(c, '国家级刊物论文', '篇', TODAY)}`;
          expect(line).toMatch(
            /^- \[(进度落后|有风险)\] 国家级刊物论文还需 1 篇(（1 篇待审核）)?，距 12 月 31 日还有 30 天$/,
          );
          expect({ unit: unit.name, line, found: text.split('\n').includes(line) }).toEqual({
            unit: unit.name,
            line,
            found: true,
          });
          // The progress line ("label：value" pairs): status behind pace, never 进度正常.
          const row = text.split('\n').find((l) => l.startsWith(`- ${papers.label.zh}：`));
          expect(row).toBe(
            `- ${papers.label.zh}：已核实 ${c.verified}，待审核 ${c.pending}，最低要求 1，应达进度 1，` +
              `状态 ${STATUS_ZH[c.status]}`,
          );
          expect(text).not.toContain('目前没有进度不足的任务');
          expect(text).not.toContain('各项任务均已达标');
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(paperless.length);
  });

  it('the supervisor digest lists each such unit with its papers line, and its table cell is behind pace', () => {
    const [mail] = mailsTo(seeded.supervisor.email);
    const lines = mail.parsed.text!.split('\n');
    for (const r of paperless) {
      const head = lines.findIndex((l) => l.startsWith('- [') && l.endsWith(`] ${r.unit.name}（广东省）`));
      expect({ unit: r.unit.name, listed: head >= 0 }).toEqual({ unit: r.unit.name, listed: true });
      const c = r.requirements.national_papers;
      const item = `  · [${STATUS_ZH[c.status]}] ${stillNeededZh(c, '国家级刊物论文', '篇', TODAY)}`;
      const own: string[] = [];
      for (let i = head + 1; i < lines.length && lines[i].startsWith('  · '); i++) own.push(lines[i]);
      expect({ unit: r.unit.name, item, found: own.includes(item) }).toEqual({
        unit: r.unit.name,
        item,
        found: true,
      });
    }

    // The text table: one block per unit (its name, then "label：verified / minimum，status" lines).
    const tableAt = lines.findIndex((l) => l.startsWith('## 单位 × 任务一览'));
    expect(tableAt).toBeGreaterThan(0);
    const papersLabel = columns.find((q) => q.key === 'national_papers')!.shortLabel.zh;
    for (const r of paperless) {
      const at = lines.indexOf(`${r.unit.name}（广东省）`, tableAt);
      expect({ unit: r.unit.name, block: at > tableAt }).toEqual({ unit: r.unit.name, block: true });
      const block = lines.slice(at + 1, lines.indexOf('', at));
      const cell = block.find((l) => l.startsWith(`- ${papersLabel}：`));
      expect({ unit: r.unit.name, cell }).toEqual({
        unit: r.unit.name,
        cell: `- ${papersLabel}：0 / 1，${STATUS_ZH[r.requirements.national_papers.status]}`,
      });
      expect(cell).not.toContain('进度正常');
    }
    // Every unit with anything still needed is listed, on track or not.
    for (const r of rows) {
      const needs = columns.some((q) => r.requirements[q.key]?.remaining > 0);
      const listed = lines.some((l) => l.startsWith('- [') && l.endsWith(`] ${r.unit.name}（广东省）`));
      expect({ unit: r.unit.name, listed }).toEqual({ unit: r.unit.name, listed: needs });
    }
    expect(mail.parsed.text).not.toContain('所有单位的各项任务均已达标');
  });
});
