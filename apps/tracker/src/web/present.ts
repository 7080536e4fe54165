import type { RequirementResult } from '@app/compliance';
import {
  cumulativeLineConfig,
  monthlyTrendConfig,
  requirementBarsConfig,
  requirementShareConfig,
  statusDistributionConfig,
} from '@app/reporting/charts/configs';
import { formatMonthDay, type Locale, t } from '@app/reporting/i18n';
import type {
  ComplianceTrend,
  ScopeComplianceView,
  UnitComplianceView,
} from '../compliance/compliance.types';

/*
 * Turning compliance views into what the pages show: short requirement labels, shortfalls in words and
 * the chart configurations, built by the shared builders so pages and e-mails draw the same charts.
 */

/** The short catalog label of a requirement, or the rule set's own label for requirements it lacks. */
export function requirementLabel(
  locale: Locale,
  r: { key: string; label: { zh: string; en: string } },
): string {
  const key = `requirement.${r.key}`;
  const text = t(locale, key);
  return text === key ? r.label[locale] : text;
}

export interface Shortfall {
  key: string;
  status: RequirementResult['status'];
  text: string;
  pending: number;
}

/** "还需 2 次省级以上新闻媒体宣传，截至 12 月 31 日" for every requirement not yet met. */
export function shortfalls(view: UnitComplianceView, locale: Locale): Shortfall[] {
  return view.requirements
    .filter((r) => r.remaining > 0)
    .map((r) => ({
      key: r.key,
      status: r.status,
      pending: r.pending,
      text: t(locale, r.status === 'failed' ? 'web.unit.missed' : 'web.unit.stillNeeded', {
        n: r.remaining,
        unit: r.unit[locale],
        label: requirementLabel(locale, r),
        date: formatMonthDay(locale, r.period.end),
      }),
    }));
}

export function unitCharts(view: UnitComplianceView, locale: Locale) {
  const bars = requirementBarsConfig(
    view.requirements.map((r) => ({
      label: requirementLabel(locale, r),
      verified: r.verified,
      pending: r.pending,
      minimum: r.minimum,
    })),
    locale,
  );
  const cumulative = view.requirements.map((r) => ({
    key: r.key,
    label: requirementLabel(locale, r),
    config: cumulativeLineConfig(view.series[r.key] ?? [], r.minimum, locale, {
      title: requirementLabel(locale, r),
    }),
  }));
  return { bars, cumulative };
}

export function scopeCharts(view: ScopeComplianceView, trend: ComplianceTrend, locale: Locale) {
  return {
    share: requirementShareConfig(
      view.requirements.map((r) => ({
        label: requirementLabel(locale, r),
        met: view.totals.meeting[r.key]?.met ?? 0,
        of: view.totals.meeting[r.key]?.of ?? 0,
      })),
      locale,
    ),
    status: statusDistributionConfig(view.totals.byStatus, locale),
    trend: monthlyTrendConfig(
      trend.months.map((m) => ({ month: m.month, verified: m.verified })),
      locale,
      { title: `${t(locale, 'chart.monthlyTrend.title')} · ${trend.year}` },
    ),
  };
}
