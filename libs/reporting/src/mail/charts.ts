import {
  cumulativeLineConfig,
  requirementBarsConfig,
  requirementShareConfig,
  statusDistributionConfig,
  type AnyChartConfig,
} from '../charts/configs';
import { loc } from './html';
import type { DigestModel, MailImage, UnitReportModel } from './models';

/** Pixel size of every mail chart: fits the 680-px mail column with its padding. */
export const MAIL_CHART_SIZE = { width: 632, height: 316 } as const;

export const UNIT_CHART_IMAGES = {
  bars: { cid: 'bars@report', ...MAIL_CHART_SIZE },
  cumulative: { cid: 'cumulative@report', ...MAIL_CHART_SIZE },
} satisfies Record<string, MailImage>;

export const DIGEST_CHART_IMAGES = {
  share: { cid: 'share@report', ...MAIL_CHART_SIZE },
  status: { cid: 'status@report', ...MAIL_CHART_SIZE },
} satisfies Record<string, MailImage>;

export type UnitChartName = keyof typeof UNIT_CHART_IMAGES;
export type DigestChartName = keyof typeof DIGEST_CHART_IMAGES;

/** chart.js configurations of a unit report's charts, from the shared builders. */
export function unitReportCharts(m: UnitReportModel): Record<UnitChartName, AnyChartConfig> {
  const fixed = { responsive: false };
  return {
    bars: requirementBarsConfig(
      m.requirements.map((r) => ({
        label: loc(r.shortLabel, m.locale),
        verified: r.verified,
        pending: r.pending,
        minimum: r.minimum,
      })),
      m.locale,
      fixed,
    ) as AnyChartConfig,
    cumulative: cumulativeLineConfig(
      m.cumulative.points,
      m.cumulative.minimum,
      m.locale,
      fixed,
    ) as AnyChartConfig,
  };
}

/** chart.js configurations of a digest's charts. */
export function digestCharts(m: DigestModel): Record<DigestChartName, AnyChartConfig> {
  const fixed = { responsive: false };
  return {
    share: requirementShareConfig(
      m.requirements.map((q) => ({
        label: loc(q.label, m.locale),
        met: m.totals.meeting[q.key]?.met ?? 0,
        of: m.totals.meeting[q.key]?.of ?? 0,
      })),
      m.locale,
      fixed,
    ) as AnyChartConfig,
    status: statusDistributionConfig(m.totals.byStatus, m.locale, fixed) as AnyChartConfig,
  };
}
