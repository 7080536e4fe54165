import ExcelJS from 'exceljs';
import type { ScopeComplianceView, ScopeRow } from '../compliance/compliance.types';
import type { DigestActivityRow } from './report-queries';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { digestWorkbook } from './report-workbook';

const REQUIREMENTS: ScopeComplianceView['requirements'] = [
  {
    key: 'exchange_events',
    label: { zh: '经验交流、观摩活动', en: 'Exchange events' },
    shortLabel: { zh: '交流活动', en: 'Events' },
    unit: { zh: '次', en: 'events' },
  },
  {
    key: 'national_papers',
    label: { zh: '国家级刊物论文', en: 'National papers' },
    shortLabel: { zh: '国家级论文', en: 'Papers' },
    unit: { zh: '篇', en: 'papers' },
  },
];

function row(id: number, name: string, verified: number): ScopeRow {
  const cell = (v: number, minimum: number) => ({
    verified: v,
    pending: 1,
    minimum,
    ruleMinimum: minimum,
    targeted: false,
    pace: 1,
    remaining: Math.max(minimum - v, 0),
    remainingPending: Math.min(1, Math.max(minimum - v, 0)),
    daysLeft: 213,
    status: v >= minimum ? ('met' as const) : ('at_risk' as const),
  });
  return {
    unit: {
      id,
      name,
      province: '44',
      industry: '旅游',
      kind: 'enterprise',
      cycleStart: '2026-01-01',
      cycleEnd: '2027-12-31',
      program: 'service-industry-demo',
      ruleSetVersion: 2,
      status: 'active',
    },
    period: { start: '2026-01-01', end: '2026-12-31', months: 12, index: 0 },
    overall: verified >= 2 ? 'met' : 'at_risk',
    requirements: { exchange_events: cell(verified, 2), national_papers: cell(verified, 2) },
  };
}

const SCOPE: ScopeComplianceView = {
  at: '2026-06-01',
  today: '2026-06-01',
  requirements: REQUIREMENTS,
  rows: [row(1, '=HYPERLINK("x") 单位', 0), row(2, '广州甲公司', 2)],
  total: 2,
  page: 1,
  pageSize: 2,
  totals: {
    units: 2,
    byStatus: { failed: 0, shortfall: 0, at_risk: 1, on_track: 0, met: 1 },
    meeting: { exchange_events: { met: 1, of: 2 }, national_papers: { met: 1, of: 2 } },
  },
};

function activity(i: number): DigestActivityRow {
  return {
    id: i,
    unitId: 2,
    unitName: '广州甲公司',
    province: '44',
    requirement: i % 2 ? 'national_papers' : 'exchange_events',
    date: `2026-05-${String(1 + (i % 28)).padStart(2, '0')}`,
    title: `活动 ${i}`,
    status: i % 3 ? 'verified' : 'rejected',
    submittedAt: new Date(Date.UTC(2026, 4, 2, 2)),
    reviewedAt: null,
    rejectReason: i % 3 ? null : '+材料不全',
    location: i % 2 ? null : '广州',
    participants: i % 2 ? null : 30,
    standardLevel: null,
    standardKind: null,
    standardNumber: null,
    journal: i % 2 ? '标准科学' : null,
    journalLevel: i % 2 ? 'national' : null,
    issn: null,
    authors: null,
    personName: null,
    personKey: null,
    certificate: null,
    recipient: null,
    outlet: null,
    outletLevel: null,
    url: null,
  };
}

async function* pages(n: number, size: number): AsyncGenerator<DigestActivityRow[]> {
  for (let i = 0; i < n; i += size) {
    yield Array.from({ length: Math.min(size, n - i) }, (_, k) => activity(i + k));
  }
}

async function read(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const values = (ws: ExcelJS.Worksheet) =>
    Array.from({ length: ws.rowCount }, (_, i) => (ws.getRow(i + 1).values as unknown[]).slice(1));
  return { wb, values };
}

const ruleSets = new RuleSetsService();

describe('digest workbook (streamed)', () => {
  it('writes the summary table and every activity page after page, with the same columns and labels', async () => {
    const { wb, values } = await read(
      await digestWorkbook(SCOPE, pages(7, 3), 'zh', { valueLabel: (f, v) => ruleSets.valueLabel(f, v) }),
    );
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '活动']);
    const sum = values(wb.getWorksheet('汇总')!);
    expect(sum[0]).toEqual([
      '单位',
      '省份',
      '考核期',
      '总体',
      '交流活动 · 已核实',
      '交流活动 · 待审核',
      '交流活动 · 最低要求',
      '交流活动 · 状态',
      '国家级论文 · 已核实',
      '国家级论文 · 待审核',
      '国家级论文 · 最低要求',
      '国家级论文 · 状态',
      '还需',
    ]);
    expect(sum).toHaveLength(3);
    // Formula-like text is neutralised; numbers stay numbers; still needed per requirement, one per line.
    expect(sum[1].slice(0, 6)).toEqual([
      '\'=HYPERLINK("x") 单位',
      '广东省',
      '2026-01-01 ~ 2026-12-31',
      '有风险',
      0,
      1,
    ]);
    expect(String(sum[1][12]).split('\n')).toHaveLength(2);
    expect(sum[2][12]).toBe('各项任务均已达标');
    const summary = wb.getWorksheet('汇总')!;
    expect(summary.getRow(1).font?.bold).toBe(true);
    expect(summary.getColumn(1).width).toBe(36);
    expect(summary.getRow(2).getCell(4).fill).toMatchObject({ type: 'pattern', pattern: 'solid' });
    expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, xSplit: 1 });

    const act = values(wb.getWorksheet('活动')!);
    expect(act[0]).toEqual([
      '单位',
      '省份',
      '任务',
      '日期',
      '标题',
      '状态',
      '提交时间',
      '审核时间',
      '退回原因',
      '详细信息',
    ]);
    expect(act).toHaveLength(1 + 7);
    expect(act.slice(1).map((r) => r[4])).toEqual(Array.from({ length: 7 }, (_, i) => `活动 ${i}`));
    expect(act[1]).toEqual([
      '广州甲公司',
      '广东省',
      '交流活动',
      '2026-05-01',
      '活动 0',
      '已退回',
      '2026-05-02 10:00', // 02:00 UTC is 10:00 in Asia/Shanghai
      undefined, // not reviewed: an empty cell
      "'+材料不全",
      '广州 · 30',
    ]);
    expect(act[2][9]).toBe('标准科学 · 国家级刊物');
  });

  it('stops the activities sheet at its cap with a line saying how many there are in all', async () => {
    const { wb, values } = await read(await digestWorkbook(SCOPE, pages(12, 5), 'zh', { maxActivities: 8 }));
    const act = values(wb.getWorksheet('活动')!);
    expect(act).toHaveLength(1 + 8 + 1);
    expect(act[8][4]).toBe('活动 7');
    expect(act[9]).toEqual([
      '此表列出前 8 项活动，共 12 项；其余活动见各省的监管汇总附件及各单位页面的导出。',
    ]);
    // Exactly at the cap: no line.
    const exact = values(
      (await read(await digestWorkbook(SCOPE, pages(8, 5), 'en', { maxActivities: 8 }))).wb.worksheets[1],
    );
    expect(exact).toHaveLength(1 + 8);
  });
});
