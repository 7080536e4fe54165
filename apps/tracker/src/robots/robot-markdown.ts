import { t } from '@app/reporting';
import { type DigestModel, provinceName, type UnitReportModel } from '@app/reporting/mail';

/** Units and requirements listed in a robot message: it must stay short (WeCom takes 4096 bytes). */
const MAX_LINES = 5;

/** Markdown shown inside a link or a bold span: brackets and asterisks would break it. */
const plain = (s: string) => s.replace(/[[\]*_`#<>]/g, ' ').trim();

/**
 * A province's monthly digest for its group robots: units, how many meet all requirements, the
 * requirements fewest units meet, the units worst off, and a link to the overview.
 */
export function digestMarkdown(model: DigestModel, overviewUrl: string): { title: string; markdown: string } {
  const L = 'zh';
  const province = model.provinces?.length ? provinceName(L, model.provinces[0]) : '';
  const title = `${province} ${model.period} 月度汇总`;
  const labels = new Map(model.requirements.map((r) => [r.key, r.label[L]]));
  const shortfalls = Object.entries(model.totals.meeting)
    .filter(([, m]) => m.met < m.of)
    .sort(([, a], [, b]) => a.met / a.of - b.met / b.of)
    .slice(0, MAX_LINES);
  const worst = model.rows.filter((r) => r.overall !== 'met').slice(0, MAX_LINES);
  const lines = [
    `### ${plain(title)}`,
    `截至 ${model.asOf}：单位 **${model.totals.units}** 个，全部指标达标 **${model.totals.byStatus.met}** 个`,
  ];
  if (shortfalls.length) {
    lines.push('', '**达标最少的指标**');
    for (const [key, m] of shortfalls)
      lines.push(`- ${plain(labels.get(key) ?? key)}：${m.met}/${m.of} 个单位达标`);
  }
  if (worst.length) {
    lines.push('', '**需关注的单位**');
    for (const r of worst) lines.push(`- ${plain(r.unit.name)}：${t(L, `status.${r.overall}`)}`);
  }
  if (model.queueTotal) lines.push('', `待审核活动 ${model.queueTotal} 项`);
  lines.push('', `[查看总览](${overviewUrl})`);
  return { title, markdown: lines.join('\n') };
}

/** A unit's monthly report for the unit's group robots: each requirement's count and what is still needed. */
export function unitReportMarkdown(
  model: UnitReportModel,
  unitUrl: string,
): { title: string; markdown: string } {
  const L = 'zh';
  const title = `${model.unit.name} ${model.period} 月度报告`;
  const lines = [
    `### ${plain(title)}`,
    `截至 ${model.asOf}：${t(L, `status.${model.overall}`)}`,
    '',
    ...model.requirements.map(
      (r) =>
        `- ${plain(r.shortLabel[L])}：${r.verified}/${r.minimum}` +
        (r.remaining > 0 ? `，尚需 ${r.remaining}` : ''),
    ),
    '',
    `[查看单位](${unitUrl})`,
  ];
  return { title, markdown: lines.join('\n') };
}
