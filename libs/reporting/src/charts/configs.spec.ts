import {
  chartConfigJson,
  cumulativeLineConfig,
  monthlyTrendConfig,
  requirementBarsConfig,
  requirementShareConfig,
  statusDistributionConfig,
  wrapLabel,
  type AnyChartConfig,
} from './configs';
import { FONT_FAMILY, SERIES_COLORS, STATUS_COLORS } from './palette';

const BARS = [
  { label: '经验交流、观摩活动', verified: 2, pending: 1, minimum: 3 },
  { label: '国家级刊物论文', verified: 1, pending: 0, minimum: 1 },
];

function allConfigs(locale: 'zh' | 'en'): AnyChartConfig[] {
  return [
    requirementBarsConfig(BARS, locale),
    cumulativeLineConfig([{ month: '2026-01', verified: 1, pace: 0 }], 3, locale),
    requirementShareConfig([{ label: 'x', met: 1, of: 3 }], locale),
    statusDistributionConfig({ met: 1, on_track: 2, at_risk: 0, shortfall: 0, failed: 1 }, locale),
    monthlyTrendConfig([{ month: '2026-01', verified: 2 }], locale),
  ];
}

/** Every `font` object anywhere in the config. */
function fonts(value: unknown, found: { family?: string }[] = []): { family?: string }[] {
  if (Array.isArray(value)) value.forEach((v) => fonts(v, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/^(font|titleFont|bodyFont|footerFont)$/.test(k)) found.push(v as { family?: string });
      else fonts(v, found);
    }
  }
  return found;
}

describe('chart configs as page data', () => {
  it.each(['zh', 'en'] as const)('are plain JSON data (%s): no functions, no undefined', (l) => {
    for (const config of allConfigs(l)) {
      expect(JSON.parse(JSON.stringify(config))).toStrictEqual(config);
    }
  });

  it('draw all text in Noto Sans SC, without animation, responsive unless asked not to be', () => {
    for (const config of allConfigs('zh')) {
      const found = fonts(config.options);
      expect(found.length).toBeGreaterThanOrEqual(4);
      for (const f of found) expect(f.family).toBe(FONT_FAMILY);
      expect(config.options?.animation).toBe(false);
      expect(config.options?.responsive).toBe(true);
    }
    const fixed = requirementBarsConfig(BARS, 'zh', { responsive: false });
    expect(fixed.options?.responsive).toBe(false);
  });

  it('use the catalog title, a given title, or none', () => {
    expect(requirementBarsConfig(BARS, 'zh').options?.plugins?.title?.text).toBe('各项任务完成情况');
    expect(requirementBarsConfig(BARS, 'en').options?.plugins?.title?.text).toBe('Progress by requirement');
    const given = requirementBarsConfig(BARS, 'zh', { title: '某单位 2026 年' });
    expect(given.options?.plugins?.title).toMatchObject({ display: true, text: '某单位 2026 年' });
    const none = requirementBarsConfig(BARS, 'zh', { title: false });
    expect(none.options?.plugins?.title?.display).toBe(false);
  });

  it('escapes a label that would close a script element when embedded', () => {
    const config = requirementBarsConfig(
      [{ label: '</script><b>&', verified: 0, pending: 0, minimum: 1 }],
      'zh',
    );
    const json = chartConfigJson(config);
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json)).toStrictEqual(config);
  });
});

describe('requirementBarsConfig', () => {
  it('groups verified, pending and minimum per requirement, in that order', () => {
    const c = requirementBarsConfig(BARS, 'zh');
    expect(c.type).toBe('bar');
    expect(c.data.labels).toEqual([['经验交流、', '观摩活动'], '国家级刊物论文']);
    expect(c.data.datasets.map((d) => [d.label, d.data, d.backgroundColor])).toEqual([
      ['已核实', [2, 1], SERIES_COLORS.verified],
      ['待审核', [1, 0], SERIES_COLORS.pending],
      ['最低要求', [3, 1], SERIES_COLORS.minimum],
    ]);
    expect(requirementBarsConfig(BARS, 'en').data.datasets.map((d) => d.label)).toEqual([
      'Verified',
      'Awaiting review',
      'Minimum',
    ]);
  });
});

describe('cumulativeLineConfig', () => {
  const points = [
    { month: '2026-01', verified: 0, pace: 0 },
    { month: '2026-02', verified: 2, pace: 0 },
    { month: '2026-03', verified: 2, pace: 1 },
  ];

  it('draws verified and pace by month and the minimum as a dashed flat line', () => {
    const c = cumulativeLineConfig(points, 5, 'zh');
    expect(c.data.labels).toEqual(['1月', '2月', '3月']);
    const [verified, pace, minimum] = c.data.datasets;
    expect(verified).toMatchObject({ label: '累计已核实', data: [0, 2, 2] });
    expect(pace).toMatchObject({ label: '应达进度', data: [0, 0, 1] });
    expect(minimum).toMatchObject({ label: '最低要求', data: [5, 5, 5], borderDash: [6, 4] });
    expect(verified.borderDash).toBeUndefined();
  });

  it('shows the year in month labels when the months span two years', () => {
    const c = cumulativeLineConfig(
      [
        { month: '2025-12', verified: 0, pace: 0 },
        { month: '2026-01', verified: 1, pace: 1 },
      ],
      2,
      'en',
    );
    expect(c.data.labels).toEqual(['Dec 2025', 'Jan 2026']);
  });
});

describe('requirementShareConfig', () => {
  it('gives the percentage of units meeting each requirement on a 0–100 horizontal axis', () => {
    const c = requirementShareConfig(
      [
        { label: 'a', met: 1, of: 3 },
        { label: 'b', met: 0, of: 0 },
        { label: 'c', met: 4, of: 4 },
      ],
      'zh',
    );
    expect(c.options?.indexAxis).toBe('y');
    expect(c.data.datasets[0].data).toEqual([33.3, 0, 100]);
    expect(c.options?.scales?.x).toMatchObject({ min: 0, max: 100 });
  });
});

describe('statusDistributionConfig', () => {
  it('lists statuses best first with their status colours', () => {
    const c = statusDistributionConfig({ met: 4, on_track: 3, at_risk: 2, shortfall: 1, failed: 0 }, 'zh');
    expect(c.type).toBe('doughnut');
    expect(c.data.labels).toEqual(['已达标', '进度正常', '有风险', '进度落后', '未达标']);
    expect(c.data.datasets[0].data).toEqual([4, 3, 2, 1, 0]);
    expect(c.data.datasets[0].backgroundColor).toEqual([
      STATUS_COLORS.met,
      STATUS_COLORS.on_track,
      STATUS_COLORS.at_risk,
      STATUS_COLORS.shortfall,
      STATUS_COLORS.failed,
    ]);
  });
});

describe('monthlyTrendConfig', () => {
  it('has one bar per month', () => {
    const c = monthlyTrendConfig(
      [
        { month: '2026-01', verified: 3 },
        { month: '2026-02', verified: 0 },
      ],
      'en',
    );
    expect(c.data.labels).toEqual(['Jan', 'Feb']);
    expect(c.data.datasets[0]).toMatchObject({ label: 'Verified', data: [3, 0] });
  });
});

describe('wrapLabel', () => {
  it('splits Chinese into even lines and other text at spaces', () => {
    expect(wrapLabel('国家级刊物论文')).toBe('国家级刊物论文');
    expect(wrapLabel('培养标准化专业人才')).toEqual(['培养标准化', '专业人才']);
    expect(wrapLabel('标准制修订需求或实施情况报告', 12)).toEqual(['标准制修订需求', '或实施情况报告']);
    expect(wrapLabel('Papers in national journals')).toEqual(['Papers in', 'national', 'journals']);
    expect(wrapLabel('Work updates')).toBe('Work updates');
  });
});
