import type { LocalizedText, RequirementResult } from '@app/compliance';
import {
  cumulativeLineConfig,
  monthlyTrendConfig,
  requirementBarsConfig,
  requirementShareConfig,
  statusDistributionConfig,
} from '@app/reporting/charts/configs';
import { type Locale, t } from '@app/reporting/i18n';
import { notYetMet, stillNeededText } from '@app/reporting/i18n/still-needed';
import type {
  ComplianceTrend,
  ScopeComplianceView,
  ScopeRow,
  UnitComplianceView,
} from '../compliance/compliance.types';

/*
 * Turning compliance views into what the pages show: the rule set's short requirement labels, what is
 * still needed in words and the chart configurations, built by the shared builders so pages and e-mails
 * draw the same charts.
 */

/** The rule set's short label of a requirement (SPEC §3: every label shown comes from the rule set). */
export function requirementLabel(locale: Locale, r: { shortLabel: LocalizedText }): string {
  return r.shortLabel[locale] || r.shortLabel.zh;
}

export interface Shortfall {
  key: string;
  status: RequirementResult['status'];
  text: string;
  pending: number;
}

/**
 * SPEC §3 v2 "still needed": "国家级刊物论文还需 1 篇（1 篇待审核），距 12 月 31 日还有 30 天" for every
 * requirement not yet met, whatever its status (on track is not done), worst status first.
 */
export function shortfalls(view: UnitComplianceView, locale: Locale): Shortfall[] {
  return notYetMet(view.requirements).map((r) => ({
    key: r.key,
    status: r.status,
    pending: r.remainingPending,
    text: stillNeededText(locale, r, view.today) ?? '',
  }));
}

/** The still-needed lines of one row of a scope view (overview, its export, the digest workbook). */
export function stillNeededLines(
  view: Pick<ScopeComplianceView, 'requirements' | 'today'>,
  row: ScopeRow,
  locale: Locale,
): Shortfall[] {
  const cells = view.requirements
    .filter((q) => row.requirements[q.key])
    .map((q) => ({ ...row.requirements[q.key], key: q.key, shortLabel: q.shortLabel, unit: q.unit }));
  return notYetMet(cells).map((c) => ({
    key: c.key,
    status: c.status,
    pending: c.remainingPending,
    text: stillNeededText(locale, c, view.today) ?? '',
  }));
}

/**
 * What the overview shows per row beyond the numbers: the still-needed lines (worst first) and, per
 * requirement cell, a tooltip with the status, the still-needed sentence (if any), pending and pace.
 */
export function overviewRows(view: ScopeComplianceView, locale: Locale) {
  const out: Record<number, { lines: Shortfall[]; titles: Record<string, string> }> = {};
  for (const row of view.rows) {
    const lines = stillNeededLines(view, row, locale);
    const byKey = new Map(lines.map((l) => [l.key, l.text]));
    const titles: Record<string, string> = {};
    for (const q of view.requirements) {
      const c = row.requirements[q.key];
      if (!c) continue;
      titles[q.key] = [
        `${requirementLabel(locale, q)}${locale === 'zh' ? '：' : ': '}${t(locale, `status.${c.status}`)}`,
        byKey.get(q.key),
        `${t(locale, 'common.verified')} ${c.verified} / ${t(locale, 'common.minimum')} ${c.minimum}`,
        `${t(locale, 'common.pending')} ${c.pending} · ${t(locale, 'common.pace')} ${c.pace}`,
      ]
        .filter(Boolean)
        .join('\n');
    }
    out[row.unit.id] = { lines, titles };
  }
  return out;
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
