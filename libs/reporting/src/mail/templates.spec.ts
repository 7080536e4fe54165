import type { RequirementStatus } from '@app/compliance';
import { DIGEST_CHART_IMAGES, digestCharts, UNIT_CHART_IMAGES, unitReportCharts } from './charts';
import { MAX_QUEUE_ROWS, MAX_TABLE_ROWS, renderDigest, scopeLabel } from './digest';
import type { DigestModel, MailImage, UnitReportModel, UnitReportRequirement } from './models';
import { renderUnitReport, stillNeededOf } from './unit-report';

function req(
  key: string,
  status: RequirementStatus,
  over: Partial<UnitReportRequirement> = {},
): UnitReportRequirement {
  return {
    key,
    label: { zh: `任务${key}`, en: `Requirement ${key}` },
    shortLabel: { zh: key, en: key },
    unit: { zh: '次', en: 'events' },
    verified: 1,
    pending: 1,
    minimum: 3,
    pace: 2,
    remaining: 2,
    remainingPending: 1,
    daysLeft: 244, // 2026-05-01 (asOf) to 2026-12-31
    status,
    periodEnd: '2026-12-31',
    ...over,
  };
}

function unitModel(over: Partial<UnitReportModel> = {}): UnitReportModel {
  return {
    locale: 'zh',
    period: '2026-05',
    asOf: '2026-05-01',
    recipientName: '张三',
    dashboardUrl: 'https://tracker.example.gov.cn/',
    unit: { id: 7, name: '<b>某某</b>有限公司 & Co', province: '44' },
    compliancePeriod: { start: '2026-01-01', end: '2026-12-31' },
    overall: 'shortfall',
    requirements: [
      req('a', 'at_risk'),
      req('b', 'met', { verified: 3, remaining: 0, remainingPending: 0 }),
      req('c', 'shortfall', { verified: 0, pending: 0, remaining: 3, remainingPending: 0 }),
      req('d', 'on_track', { verified: 2, pace: 2, remaining: 1 }),
    ],
    rejected: [
      {
        id: 1,
        date: '2026-03-02',
        requirement: { zh: '论文', en: 'Papers' },
        title: '<script>x</script>',
        reason: '缺少"证明"',
      },
    ],
    cumulative: {
      points: [
        { month: '2026-01', verified: 1, pace: 0 },
        { month: '2026-02', verified: 2, pace: 1 },
      ],
      minimum: 12,
    },
    charts: UNIT_CHART_IMAGES,
    ...over,
  };
}

describe('unit report mail', () => {
  it('escapes every value from the database', () => {
    const { html, subject } = renderUnitReport(unitModel());
    expect(html).not.toContain('<b>某某</b>');
    expect(html).toContain('&lt;b&gt;某某&lt;/b&gt;有限公司 &amp; Co');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('缺少&quot;证明&quot;');
    // The subject is a header, not HTML: it stays as written.
    expect(subject).toBe('【示范项目月报】<b>某某</b>有限公司 & Co · 2026年5月');
  });

  it('shows the charts by cid with their size, never as data: URIs, and inline styles only', () => {
    const { html } = renderUnitReport(unitModel());
    expect(html).toContain('src="cid:bars@report" width="632" height="316"');
    expect(html).toContain('src="cid:cumulative@report"');
    expect(html).not.toMatch(/data:|<style|class=|<script/);
  });

  it('lists every requirement not yet met, worst first, with what is still needed and the days left', () => {
    // On track (d) is listed too, after the shortfall (c) and the risk (a); met (b) is not.
    expect(stillNeededOf(unitModel()).map((r) => r.key)).toEqual(['c', 'a', 'd']);
    const { text, html } = renderUnitReport(unitModel());
    const lines = text.split('\n');
    const first = lines.indexOf('- [进度落后] c还需 3 次，距 12 月 31 日还有 244 天');
    expect(first).toBeGreaterThan(0);
    expect(lines.slice(first, first + 3)).toEqual([
      '- [进度落后] c还需 3 次，距 12 月 31 日还有 244 天',
      '- [有风险] a还需 2 次（1 次待审核），距 12 月 31 日还有 244 天',
      '- [进度正常] d还需 1 次（1 次待审核），距 12 月 31 日还有 244 天',
    ]);
    expect(text).not.toContain('b还需');
    expect(html).toContain('d还需 1 次（1 次待审核），距 12 月 31 日还有 244 天');
    expect(text).toContain('总体状态：进度落后');
    expect(text).toContain('<script>x</script>');
  });

  it('a unit on track but not finished gets still-needed lines, never "nothing to do"; all met gets the all-met text', () => {
    // The demo case of SPEC §3 v2: on track everywhere, 30 days left, two minimums not reached yet.
    const onTrack = unitModel({
      asOf: '2026-12-01',
      overall: 'on_track',
      requirements: [
        req('papers', 'on_track', {
          shortLabel: { zh: '国家级刊物论文', en: 'Papers in national journals' },
          unit: { zh: '篇', en: 'papers' },
          verified: 0,
          pending: 1,
          minimum: 1,
          pace: 0,
          remaining: 1,
          remainingPending: 1,
          daysLeft: 30,
        }),
        req('events', 'on_track', {
          verified: 2,
          pending: 0,
          remaining: 1,
          remainingPending: 0,
          daysLeft: 30,
        }),
        req('b', 'met', { verified: 3, remaining: 0, remainingPending: 0, daysLeft: 30 }),
      ],
      rejected: [],
    });
    for (const locale of ['zh', 'en'] as const) {
      const { text, html } = renderUnitReport({ ...onTrack, locale });
      for (const body of [text, html]) {
        expect(body).not.toContain('目前没有进度不足的任务');
        expect(body).not.toContain('均已达标');
        expect(body).not.toContain('No requirement is behind pace');
        expect(body).not.toContain('Every requirement of this period is met');
      }
      if (locale === 'zh') {
        expect(text).toContain(
          '- [进度正常] 国家级刊物论文还需 1 篇（1 篇待审核），距 12 月 31 日还有 30 天',
        );
        expect(text).toContain('- [进度正常] events还需 1 次，距 12 月 31 日还有 30 天');
      } else {
        expect(text).toContain(
          '- [On track] Papers in national journals: 1 more paper needed (1 awaiting review), 30 days left until 31 December',
        );
        expect(text).toContain('- [On track] events: 1 more event needed, 30 days left until 31 December');
      }
    }

    const allMet = renderUnitReport(
      unitModel({
        overall: 'met',
        requirements: [req('b', 'met', { verified: 3, remaining: 0, remainingPending: 0 })],
        rejected: [],
      }),
    );
    expect(allMet.text).toContain('本考核期各项任务均已达标，请继续保持。');
    expect(allMet.html).toContain('本考核期各项任务均已达标，请继续保持。');
    expect(allMet.text).not.toContain('还需');
    expect(allMet.text).toContain('没有被退回的活动');
  });

  it('speaks English when asked', () => {
    const { subject, text, html } = renderUnitReport(unitModel({ locale: 'en', recipientName: 'Alice' }));
    expect(subject).toBe('Monthly progress report: <b>某某</b>有限公司 & Co, May 2026');
    expect(text).toContain('Dear Alice,');
    expect(text).toContain('- [Shortfall] c: 3 more events needed, 244 days left until 31 December');
    expect(html).toContain('<html lang="en">');
  });

  it('builds its charts with the shared chart-config builders', () => {
    const charts = unitReportCharts(unitModel());
    expect(charts.bars.type).toBe('bar');
    expect(charts.bars.data.labels).toEqual(['a', 'b', 'c', 'd']);
    expect(charts.cumulative.type).toBe('line');
    expect(charts.cumulative.data.datasets[0].data).toEqual([1, 2]);
    expect(charts.bars.options?.responsive).toBe(false);
  });
});

function digestModel(over: Partial<DigestModel> = {}): DigestModel {
  const cell = (status: RequirementStatus) =>
    status === 'met'
      ? { verified: 3, pending: 0, minimum: 3, remaining: 0, remainingPending: 0, daysLeft: 244, status }
      : { verified: 1, pending: 0, minimum: 3, remaining: 2, remainingPending: 0, daysLeft: 244, status };
  return {
    locale: 'zh',
    period: '2026-05',
    asOf: '2026-05-01',
    recipientName: '李四',
    dashboardUrl: 'https://tracker.example.gov.cn/',
    provinces: ['44'],
    requirements: [
      { key: 'a', label: { zh: '交流活动', en: 'Events' }, unit: { zh: '次', en: 'events' } },
      { key: 'b', label: { zh: '论文', en: 'Papers' }, unit: { zh: '篇', en: 'papers' } },
    ],
    rows: [
      {
        unit: { id: 1, name: '甲公司', province: '44' },
        overall: 'shortfall',
        cells: { a: cell('shortfall'), b: cell('at_risk') },
      },
      {
        unit: { id: 2, name: '乙公司', province: '44' },
        overall: 'met',
        cells: { a: cell('met'), b: cell('met') },
      },
    ],
    totals: {
      units: 2,
      byStatus: { met: 1, on_track: 0, at_risk: 0, shortfall: 1, failed: 0 },
      meeting: { a: { met: 1, of: 2 }, b: { met: 1, of: 2 } },
    },
    queue: [
      {
        id: 9,
        unitName: '甲公司',
        requirement: { zh: '论文', en: 'Papers' },
        title: '一篇论文',
        date: '2026-04-01',
        submittedAt: new Date('2026-04-10T02:00:00Z'),
        waitingDays: 21,
      },
    ],
    queueTotal: 1,
    charts: DIGEST_CHART_IMAGES,
    attachmentName: '示范项目监管汇总-2026-05.xlsx',
    ...over,
  };
}

describe('supervisor digest mail', () => {
  it('names the scope', () => {
    expect(scopeLabel('zh', null)).toBe('全国');
    expect(scopeLabel('zh', ['44', '45'])).toBe('广东省、广西壮族自治区');
    expect(scopeLabel('en', ['11', '12', '13', '14'])).toBe('Beijing, Tianjin, Hebei … (4 provinces)');
  });

  it('lists units with shortfalls, the table coloured by status, the review queue and both charts', () => {
    const { subject, html, text } = renderDigest(digestModel());
    expect(subject).toBe('【示范项目月报】监管汇总 · 广东省 · 2026年5月');
    expect(text).toContain(
      [
        '- [进度落后] 甲公司（广东省）',
        '  · [进度落后] 交流活动还需 2 次，距 12 月 31 日还有 244 天',
        '  · [有风险] 论文还需 2 篇，距 12 月 31 日还有 244 天',
      ].join('\n'),
    );
    expect(text).not.toContain('[已达标] 乙公司');
    expect(html).toContain('background:#ffebee'); // shortfall tint
    expect(text).toContain('2026年4月10日 甲公司 · 论文 · 一篇论文 (21 天)');
    expect(html).toContain('src="cid:share@report"');
    expect(html).toContain('src="cid:status@report"');
    expect(html).not.toMatch(/data:|<style|<script/);
  });

  it('lists every unit with a requirement not yet met, on track ones too; all met says so', () => {
    const onTrack = (over: Partial<DigestModel['rows'][number]['cells'][string]> = {}) => ({
      verified: 0,
      pending: 0,
      minimum: 1,
      remaining: 1,
      remainingPending: 0,
      daysLeft: 30,
      status: 'on_track' as const,
      ...over,
    });
    const met = { ...onTrack(), verified: 1, remaining: 0, status: 'met' as const };
    const m = digestModel({
      asOf: '2026-12-01',
      rows: [
        {
          unit: { id: 3, name: '丙公司', province: '44' },
          overall: 'on_track',
          cells: { a: met, b: onTrack({ pending: 1, remainingPending: 1 }) },
        },
        { unit: { id: 2, name: '乙公司', province: '44' }, overall: 'met', cells: { a: met, b: met } },
      ],
    });
    const { text, html } = renderDigest(m);
    expect(text).toContain(
      '- [进度正常] 丙公司（广东省）\n  · [进度正常] 论文还需 1 篇（1 篇待审核），距 12 月 31 日还有 30 天',
    );
    expect(html).toContain('论文还需 1 篇（1 篇待审核），距 12 月 31 日还有 30 天');
    expect(text).not.toContain('] 乙公司（广东省）');
    expect(text).not.toContain('所有单位的各项任务均已达标');
    const en = renderDigest({ ...m, locale: 'en' });
    expect(en.text).toContain(
      '  · [On track] Papers: 1 more paper needed (1 awaiting review), 30 days left until 31 December',
    );

    const allMet = renderDigest(digestModel({ rows: [m.rows[1]] }));
    expect(allMet.text).toContain('所有单位的各项任务均已达标。');
    expect(allMet.text).not.toContain('还需');
  });

  it('keeps big scopes readable: table and queue are cut with a note', () => {
    const rows = Array.from({ length: MAX_TABLE_ROWS + 5 }, (_, i) => ({
      ...digestModel().rows[1],
      unit: { id: i + 10, name: `单位${i}`, province: '44' },
    }));
    const queue = Array.from({ length: MAX_QUEUE_ROWS + 3 }, (_, i) => ({
      ...digestModel().queue[0],
      id: i + 1,
    }));
    const { text } = renderDigest(digestModel({ rows, queue, queueTotal: queue.length }));
    expect(text).toContain(`邮件中仅列出前 ${MAX_TABLE_ROWS} 家单位，共 ${MAX_TABLE_ROWS + 5} 家`);
    expect(text).toContain('另有 3 项待审核');
  });

  it('says so when a scope has no units', () => {
    const empty = digestModel({
      rows: [],
      queue: [],
      queueTotal: 0,
      totals: {
        units: 0,
        byStatus: { met: 0, on_track: 0, at_risk: 0, shortfall: 0, failed: 0 },
        meeting: {},
      },
    });
    const { text } = renderDigest(empty);
    expect(text).toContain('您的监管范围内目前没有示范单位');
    expect(text).toContain('没有待审核的活动');
    expect(digestCharts(empty).status.type).toBe('doughnut');
  });
});

/** What a reader sees of an HTML mail: the body's text, tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<head>[\s\S]*<\/head>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function countFigures(s: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [n] of s.matchAll(/\d+/g)) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

/** A value from the database that would break the HTML if it were not escaped. */
const evil = (name: string) => `<i>${name}</i> & "q" 'a'`;
const escaped = (name: string) => `&lt;i&gt;${name}&lt;/i&gt; &amp; &quot;q&quot; &#39;a&#39;`;

function evilUnitModel(): UnitReportModel {
  const m = unitModel({ recipientName: evil('recipient'), dashboardUrl: 'https://t.example/?a=1&b=2' });
  return {
    ...m,
    unit: { ...m.unit, name: evil('unit') },
    requirements: m.requirements.map((r) => ({
      ...r,
      label: { zh: evil(`label-${r.key}`), en: evil(`label-${r.key}`) },
      shortLabel: { zh: evil(`short-${r.key}`), en: evil(`short-${r.key}`) },
    })),
    rejected: [
      {
        id: 1,
        date: '2026-03-02',
        requirement: { zh: evil('rejected-req'), en: evil('rejected-req') },
        title: evil('title'),
        reason: evil('reason'),
      },
    ],
  };
}

function evilDigestModel(): DigestModel {
  const m = digestModel({ recipientName: evil('recipient'), dashboardUrl: 'https://t.example/?a=1&b=2' });
  return {
    ...m,
    requirements: m.requirements.map((q) => ({ ...q, label: { zh: evil(q.key), en: evil(q.key) } })),
    rows: m.rows.map((r, i) => ({ ...r, unit: { ...r.unit, name: evil(`unit${i}`) } })),
    queue: m.queue.map((a) => ({
      ...a,
      unitName: evil('queue-unit'),
      title: evil('queue-title'),
      requirement: { zh: evil('queue-req'), en: evil('queue-req') },
    })),
  };
}

describe('mail templates', () => {
  const kinds = [
    {
      name: 'unit report',
      evil: () => renderUnitReport(evilUnitModel()),
    },
    {
      name: 'digest',
      evil: () => renderDigest(evilDigestModel()),
    },
  ];

  it.each(kinds)('$name: every value from the model is escaped in the HTML, and only there', (kind) => {
    const { html, text } = kind.evil();
    expect(html).not.toContain('<i>');
    const names = [...html.matchAll(/&lt;i&gt;([\w-]+)&lt;\/i&gt;/g)].map((x) => x[1]);
    expect(names.length).toBeGreaterThan(5);
    for (const name of new Set(names)) {
      expect(html).toContain(escaped(name));
      expect(text).toContain(evil(name));
    }
    expect(html).toContain('href="https://t.example/?a=1&amp;b=2"');
    expect(text).toContain('https://t.example/?a=1&b=2');
    expect(text).not.toContain('&amp;');
  });

  it('names, titles, reasons and labels all reach the HTML escaped and the text as written', () => {
    const unit = renderUnitReport(evilUnitModel());
    for (const name of [
      'recipient',
      'unit',
      'label-a',
      'label-d',
      'short-c',
      'rejected-req',
      'title',
      'reason',
    ]) {
      const found = { html: unit.html.includes(escaped(name)), text: unit.text.includes(evil(name)) };
      expect({ name, ...found }).toEqual({ name, html: true, text: true });
    }
    const digest = renderDigest(evilDigestModel());
    for (const name of ['recipient', 'unit0', 'unit1', 'a', 'b', 'queue-unit', 'queue-title', 'queue-req']) {
      const found = { html: digest.html.includes(escaped(name)), text: digest.text.includes(evil(name)) };
      expect({ name, ...found }).toEqual({ name, html: true, text: true });
    }
  });

  const samples = [
    { name: 'unit report', mail: (l: 'zh' | 'en') => renderUnitReport(unitModel({ locale: l })) },
    { name: 'digest', mail: (l: 'zh' | 'en') => renderDigest(digestModel({ locale: l })) },
    {
      name: 'empty digest',
      mail: (l: 'zh' | 'en') =>
        renderDigest(
          digestModel({
            locale: l,
            rows: [],
            queue: [],
            queueTotal: 0,
            totals: {
              units: 0,
              byStatus: { met: 0, on_track: 0, at_risk: 0, shortfall: 0, failed: 0 },
              meeting: {},
            },
          }),
        ),
    },
  ];
  const cases = samples.flatMap((s) => (['zh', 'en'] as const).map((locale) => ({ ...s, locale })));

  it.each(cases)(
    '$name ($locale): the text part aligns nothing by spaces and carries every figure of the HTML',
    ({ mail, locale }) => {
      const { html, text } = mail(locale);
      // Only a nested list item is indented; no run of spaces after a line's first character.
      expect(text).not.toMatch(/\S {2,}|\t/);
      for (const line of text.split('\n')) expect(line).toMatch(/^(\S|$| {2}· )/);
      const inText = countFigures(text);
      for (const [figure, n] of countFigures(visibleText(html))) {
        expect({ figure, count: Math.min(inText.get(figure) ?? 0, n) }).toEqual({ figure, count: n });
      }
    },
  );

  it.each(cases)(
    '$name ($locale): speaks the language of the model, every text from the catalog',
    ({ mail, locale }) => {
      const { html, text } = mail(locale);
      expect(html).toContain(`<html lang="${locale === 'en' ? 'en' : 'zh-CN'}">`);
      for (const body of [html, text]) expect(body).not.toMatch(/\b(mail|common|status|province)\.[a-zA-Z]/);
      const footer = locale === 'en' ? 'Data as of 1 May 2026' : '数据截至 2026年5月1日';
      expect(text).toContain(`--\n${footer}\n`);
      expect(html).toContain(footer);
      if (locale === 'en') for (const zh of ['您好', '数据截至', '状态']) expect(text).not.toContain(zh);
    },
  );

  it('lays the progress table of the text part out as one "label：value" line per requirement', () => {
    expect(renderUnitReport(unitModel()).text).toContain(
      '## 各项任务完成情况\n- 任务a：已核实 1，待审核 1，最低要求 3，应达进度 2，状态 有风险\n',
    );
    expect(renderUnitReport(unitModel({ locale: 'en' })).text).toContain(
      '- Requirement c: Verified 0, Awaiting review 0, Minimum 3, Pace 2, Status Shortfall\n',
    );
    expect(renderDigest(digestModel()).text).toContain(
      '甲公司（广东省）\n- 总体：进度落后\n- 交流活动：1 / 3，进度落后\n- 论文：1 / 3，有风险\n',
    );
    const noCell = digestModel();
    delete (noCell.rows[1].cells as Record<string, unknown>).b;
    expect(renderDigest(noCell).text).toContain(
      '乙公司（广东省）\n- 总体：已达标\n- 交流活动：3 / 3，已达标\n- 论文：–\n',
    );
  });

  it('fails loudly when the model lacks a field the mail shows', () => {
    const m = unitModel();
    expect(() =>
      renderUnitReport({ ...m, unit: { id: 7, province: '44' } as UnitReportModel['unit'] }),
    ).toThrow(/undefined|null/);
    const r = { ...m.requirements[0], verified: undefined as unknown as number };
    expect(() => renderUnitReport({ ...m, requirements: [r] })).toThrow(/undefined|null/);
    const d = digestModel();
    expect(() =>
      renderDigest({ ...d, charts: { ...d.charts, share: undefined as unknown as MailImage } }),
    ).toThrow();
    expect(() => renderDigest({ ...d, dashboardUrl: null as unknown as string })).toThrow(/undefined|null/);
  });
});
