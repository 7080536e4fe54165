import { LABELS, PROVINCES } from '@app/compliance';
import type { AreaMessages, Messages } from './types';

/*
 * Texts shared by pages, e-mails and charts. Labels of fixed lists come from LABELS in
 * @app/compliance so each label is written once; this file only gives them keys.
 */

/** Key prefix per LABELS group; requirement statuses are the ones shown most, so they get 'status.'. */
const LABEL_PREFIX: Record<keyof typeof LABELS, string> = {
  activityStatus: 'activityStatus',
  unitKind: 'unitKind',
  unitStatus: 'unitStatus',
  requirementStatus: 'status',
};

function fromLabels(): AreaMessages {
  const out: AreaMessages = { zh: {}, en: {} };
  for (const [group, values] of Object.entries(LABELS)) {
    const prefix = LABEL_PREFIX[group as keyof typeof LABELS];
    for (const [value, text] of Object.entries(values)) {
      out.zh[`${prefix}.${value}`] = text.zh;
      out.en[`${prefix}.${value}`] = text.en;
    }
  }
  for (const p of PROVINCES) {
    out.zh[`province.${p.code}`] = p.zh;
    out.en[`province.${p.code}`] = p.en;
  }
  return out;
}

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function months(): AreaMessages {
  const out: AreaMessages = { zh: {}, en: {} };
  EN_MONTHS.forEach((name, i) => {
    out.zh[`month.${i + 1}`] = `${i + 1}月`;
    out.en[`month.${i + 1}`] = name;
    out.zh[`month.short.${i + 1}`] = `${i + 1}月`;
    out.en[`month.short.${i + 1}`] = name.slice(0, 3);
  });
  return out;
}

const zh: Messages = {
  'app.name': '标准化示范项目合规跟踪',
  'common.verified': '已核实',
  'common.pending': '待审核',
  'common.minimum': '最低要求',
  'common.pace': '应达进度',
  'common.cumulativeVerified': '累计已核实',
  'common.requirement': '任务',
  'common.status': '状态',
  'common.unit': '单位',
  'common.units': '单位数',
  'common.month': '月份',
  'common.count': '数量',
  'common.period': '考核期',
  'common.dateRange': '{start} 至 {end}',
  'common.percentUnitsMet': '达标单位占比（%）',
  'progress.stillNeeded': '还需 {n} {unit}，截至 {date}',
  'progress.verifiedOfMinimum': '已核实 {verified} / 要求 {minimum}',
  'progress.pendingReview': '待审核 {n}',
  'stillNeeded.open': '{label}还需 {n} {unit}{pending}，{deadline}',
  'stillNeeded.ended': '{label}未达标，缺 {n} {unit}{pending}',
  'stillNeeded.pending': '（{count}待审核）',
  'stillNeeded.daysLeft': '距 {date}还有 {days} 天',
  'stillNeeded.dayLeft': '距 {date}还有 {days} 天',
  'stillNeeded.dueToday': '今天截止',
  'stillNeeded.heading': '还需',
  'stillNeeded.rowLabel': '还需：',
  'stillNeeded.allMet': '各项任务均已达标',
  'chart.requirementBars.title': '各项任务完成情况',
  'chart.cumulative.title': '累计核实数与应达进度',
  'chart.requirementShare.title': '各项任务达标单位占比',
  'chart.statusDistribution.title': '单位状态分布',
  'chart.monthlyTrend.title': '每月核实活动数',
};

const en: Messages = {
  'app.name': 'Standardization demonstration compliance tracker',
  'common.verified': 'Verified',
  'common.pending': 'Awaiting review',
  'common.minimum': 'Minimum',
  'common.pace': 'Pace',
  'common.cumulativeVerified': 'Verified (cumulative)',
  'common.requirement': 'Requirement',
  'common.status': 'Status',
  'common.unit': 'Unit',
  'common.units': 'Units',
  'common.month': 'Month',
  'common.count': 'Count',
  'common.period': 'Period',
  'common.dateRange': '{start} to {end}',
  'common.percentUnitsMet': 'Units meeting it (%)',
  'progress.stillNeeded': 'Still needed: {n} {unit} by {date}',
  'progress.verifiedOfMinimum': '{verified} of {minimum} verified',
  'progress.pendingReview': '{n} awaiting review',
  'stillNeeded.open': '{label}: {n} more {unit} needed{pending}, {deadline}',
  'stillNeeded.ended': '{label}: not met, {n} {unit} short{pending}',
  'stillNeeded.pending': ' ({count} awaiting review)',
  'stillNeeded.daysLeft': '{days} days left until {date}',
  'stillNeeded.dayLeft': '{days} day left until {date}',
  'stillNeeded.dueToday': 'due today',
  'stillNeeded.heading': 'Still needed',
  'stillNeeded.rowLabel': 'Still needed:',
  'stillNeeded.allMet': 'Every requirement met',
  'chart.requirementBars.title': 'Progress by requirement',
  'chart.cumulative.title': 'Cumulative verified vs. pace',
  'chart.requirementShare.title': 'Share of units meeting each requirement',
  'chart.statusDistribution.title': 'Units by status',
  'chart.monthlyTrend.title': 'Verified activities per month',
};

const labels = fromLabels();
const monthNames = months();

export const common: AreaMessages = {
  zh: { ...labels.zh, ...monthNames.zh, ...zh },
  en: { ...labels.en, ...monthNames.en, ...en },
};
