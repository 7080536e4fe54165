import type { ChartConfiguration, ChartType, FontSpec } from 'chart.js';
import type { RequirementStatus } from '@app/compliance';
import { formatMonth, t, type Locale } from '../i18n';
import { FONT_FAMILY, SERIES_COLORS, STATUS_COLORS, STATUS_ORDER } from './palette';

/*
 * chart.js 4 configurations as plain JSON data (no callbacks), so a page can embed the very same
 * object as JSON and call `new Chart(canvas, config)`, and the server can render it to PNG.
 */

export interface ChartBuildOptions {
  /** Title text; by default the catalog's title of the chart; false hides it. */
  title?: string | false;
  /** true for pages (fills its container), false for fixed-size images. Default true. */
  responsive?: boolean;
}

export type ChartLabel = string | string[];

export interface RequirementBarRow {
  label: string;
  verified: number;
  pending: number;
  minimum: number;
}

export interface CumulativePoint {
  /** 'YYYY-MM' */
  month: string;
  verified: number;
  pace: number;
}

export interface RequirementShareRow {
  label: string;
  /** Units meeting the requirement. */
  met: number;
  /** Units it applies to. */
  of: number;
}

export type StatusCounts = Record<RequirementStatus, number>;

export interface MonthlyPoint {
  /** 'YYYY-MM' */
  month: string;
  verified: number;
}

const TEXT_COLOR = '#333333';
const GRID_COLOR = '#e0e0e0';

function font(size: number, weight: FontSpec['weight'] = 'normal'): Partial<FontSpec> {
  return { family: FONT_FAMILY, size, weight };
}

/** Options every chart shares: fonts set everywhere text is drawn, no animation, optional title. */
function baseOptions(title: string | false, opts: ChartBuildOptions, legend = true) {
  return {
    responsive: opts.responsive ?? true,
    maintainAspectRatio: false,
    animation: false as const,
    color: TEXT_COLOR,
    plugins: {
      title: {
        display: title !== false && title !== '',
        text: title === false ? '' : title,
        color: TEXT_COLOR,
        font: font(16, 'bold'),
        padding: { top: 4, bottom: 12 },
      },
      legend: {
        display: legend,
        position: 'bottom' as const,
        labels: { color: TEXT_COLOR, font: font(12) },
      },
      tooltip: { titleFont: font(12, 'bold'), bodyFont: font(12), footerFont: font(12) },
    },
  };
}

function axis(title?: string, extra: Record<string, unknown> = {}) {
  return {
    grid: { color: GRID_COLOR },
    ticks: { color: TEXT_COLOR, font: font(11) },
    title: { display: !!title, text: title ?? '', color: TEXT_COLOR, font: font(12) },
    ...extra,
  };
}

/** The axis of category labels (requirements, months): no grid lines between them. */
function categoryAxis() {
  return axis(undefined, { grid: { display: false } });
}

/** The axis of counts: from zero, whole numbers only. */
function countAxis(locale: Locale, extra: Record<string, unknown> = {}) {
  return axis(t(locale, 'common.count'), {
    beginAtZero: true,
    ...extra,
    ticks: { color: TEXT_COLOR, font: font(11), precision: 0 },
  });
}

function titleOf(locale: Locale, key: string, opts: ChartBuildOptions): string | false {
  return opts.title === undefined ? t(locale, key) : opts.title;
}

/**
 * Splits a long label into lines chart.js draws one under the other: text without spaces
 * (Chinese) into even lines of at most `max` characters, other text at spaces into lines of
 * about 2 × `max` characters (Latin letters are about half as wide).
 */
export function wrapLabel(label: string, max = 8): ChartLabel {
  const words = /\s/.test(label.trim());
  if (label.length <= (words ? max * 2 : max)) return label;
  if (!words) {
    // Lines of even length, so a 9-character label splits 5 + 4, not 8 + 1.
    const chars = Array.from(label);
    const size = Math.ceil(chars.length / Math.ceil(chars.length / max));
    const lines: string[] = [];
    for (let i = 0; i < chars.length; i += size) lines.push(chars.slice(i, i + size).join(''));
    return lines;
  }
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max * 2) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.length === 1 ? lines[0] : lines;
}

/** Month labels of the points; the year is shown only when the months span more than one year. */
function monthLabels(locale: Locale, points: readonly { month: string }[]): string[] {
  const years = new Set(points.map((p) => p.month.slice(0, 4)));
  return points.map((p) => formatMonth(locale, p.month, years.size > 1));
}

function count(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** Grouped bars per requirement: verified, pending review, minimum. */
export function requirementBarsConfig(
  rows: readonly RequirementBarRow[],
  locale: Locale,
  opts: ChartBuildOptions = {},
): ChartConfiguration<'bar', number[], ChartLabel> {
  return {
    type: 'bar',
    data: {
      labels: rows.map((r) => wrapLabel(r.label)),
      datasets: [
        {
          label: t(locale, 'common.verified'),
          data: rows.map((r) => count(r.verified)),
          backgroundColor: SERIES_COLORS.verified,
        },
        {
          label: t(locale, 'common.pending'),
          data: rows.map((r) => count(r.pending)),
          backgroundColor: SERIES_COLORS.pending,
        },
        {
          label: t(locale, 'common.minimum'),
          data: rows.map((r) => count(r.minimum)),
          backgroundColor: SERIES_COLORS.minimum,
        },
      ],
    },
    options: {
      ...baseOptions(titleOf(locale, 'chart.requirementBars.title', opts), opts),
      scales: { x: categoryAxis(), y: countAxis(locale) },
    },
  };
}

/** Cumulative verified count by month against the pace line and the (dashed) minimum. */
export function cumulativeLineConfig(
  points: readonly CumulativePoint[],
  minimum: number,
  locale: Locale,
  opts: ChartBuildOptions = {},
): ChartConfiguration<'line', number[], ChartLabel> {
  return {
    type: 'line',
    data: {
      labels: monthLabels(locale, points),
      datasets: [
        {
          label: t(locale, 'common.cumulativeVerified'),
          data: points.map((p) => count(p.verified)),
          borderColor: SERIES_COLORS.verified,
          backgroundColor: SERIES_COLORS.verified,
          borderWidth: 3,
          pointRadius: 3,
          fill: false,
        },
        {
          label: t(locale, 'common.pace'),
          data: points.map((p) => count(p.pace)),
          borderColor: SERIES_COLORS.pace,
          backgroundColor: SERIES_COLORS.pace,
          borderWidth: 2,
          pointRadius: 0,
          stepped: true,
          fill: false,
        },
        {
          label: t(locale, 'common.minimum'),
          data: points.map(() => count(minimum)),
          borderColor: SERIES_COLORS.minimum,
          backgroundColor: SERIES_COLORS.minimum,
          borderWidth: 2,
          borderDash: [6, 4],
          pointRadius: 0,
          fill: false,
        },
      ],
    },
    options: {
      ...baseOptions(titleOf(locale, 'chart.cumulative.title', opts), opts),
      scales: { x: axis(), y: countAxis(locale, { suggestedMax: count(minimum) + 1 }) },
    },
  };
}

/** Horizontal bars: share (%) of units meeting each requirement, on a 0–100 axis. */
export function requirementShareConfig(
  rows: readonly RequirementShareRow[],
  locale: Locale,
  opts: ChartBuildOptions = {},
): ChartConfiguration<'bar', number[], ChartLabel> {
  const share = (r: RequirementShareRow) =>
    r.of > 0 ? Math.round((1000 * Math.min(r.met, r.of)) / r.of) / 10 : 0;
  return {
    type: 'bar',
    data: {
      labels: rows.map((r) => wrapLabel(r.label, 12)),
      datasets: [
        {
          label: t(locale, 'common.percentUnitsMet'),
          data: rows.map(share),
          backgroundColor: SERIES_COLORS.share,
        },
      ],
    },
    options: {
      ...baseOptions(titleOf(locale, 'chart.requirementShare.title', opts), opts, false),
      indexAxis: 'y',
      scales: {
        x: axis(t(locale, 'common.percentUnitsMet'), { min: 0, max: 100 }),
        y: categoryAxis(),
      },
    },
  };
}

/** Doughnut of how many units (or requirements) are in each status, best status first. */
export function statusDistributionConfig(
  counts: StatusCounts,
  locale: Locale,
  opts: ChartBuildOptions = {},
): ChartConfiguration<'doughnut', number[], ChartLabel> {
  const base = baseOptions(titleOf(locale, 'chart.statusDistribution.title', opts), opts);
  return {
    type: 'doughnut',
    data: {
      labels: STATUS_ORDER.map((s) => t(locale, `status.${s}`)),
      datasets: [
        {
          data: STATUS_ORDER.map((s) => count(counts[s] ?? 0)),
          backgroundColor: STATUS_ORDER.map((s) => STATUS_COLORS[s]),
          borderColor: '#ffffff',
          borderWidth: 2,
        },
      ],
    },
    options: {
      ...base,
      plugins: { ...base.plugins, legend: { ...base.plugins.legend, position: 'right' } },
    },
  };
}

/** Bars of activities verified in each month. */
export function monthlyTrendConfig(
  points: readonly MonthlyPoint[],
  locale: Locale,
  opts: ChartBuildOptions = {},
): ChartConfiguration<'bar', number[], ChartLabel> {
  return {
    type: 'bar',
    data: {
      labels: monthLabels(locale, points),
      datasets: [
        {
          label: t(locale, 'common.verified'),
          data: points.map((p) => count(p.verified)),
          backgroundColor: SERIES_COLORS.verified,
        },
      ],
    },
    options: {
      ...baseOptions(titleOf(locale, 'chart.monthlyTrend.title', opts), opts, false),
      scales: { x: categoryAxis(), y: countAxis(locale) },
    },
  };
}

/**
 * JSON of a config that is safe inside an HTML `<script type="application/json">` element:
 * labels come from users, so '<', '>' and '&' are escaped and cannot close the element.
 */
export function chartConfigJson(config: AnyChartConfig): string {
  return JSON.stringify(config)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Any configuration these builders return. */
export type AnyChartConfig = ChartConfiguration<ChartType, unknown[], unknown>;
