import { type Locale, t } from '@app/reporting';
import { type DigestModel, provinceName, type UnitReportModel } from '@app/reporting/mail';

/** Units and requirements listed in a robot message: it must stay short (WeCom takes 4096 bytes). */
const MAX_LINES = 5;

/** Text shown inside markdown: brackets, asterisks and the like would change it. */
const plain = (s: string) => s.replace(/[[\]*_`#<>]/g, ' ').trim();

/**
 * A province's monthly digest for its group robots: units, how many meet all requirements, the
 * requirements fewest units meet, the units worst off, and a link to the overview.
 */
export function digestMarkdown(model: DigestModel, overviewUrl: string): { title: string; markdown: string } {
  const L: Locale = model.locale;
  const province = model.provinces?.length ? provinceName(L, model.provinces[0]) : '';
  const title = t(L, 'mail.robot.digestTitle', { province, period: model.period });
  const labels = new Map(model.requirements.map((r) => [r.key, r.label[L]]));
  const fewestMet = Object.entries(model.totals.meeting)
    .filter(([, m]) => m.met < m.of)
    .sort(([, a], [, b]) => a.met / a.of - b.met / b.of)
    .slice(0, MAX_LINES);
  const worst = model.rows.filter((r) => r.overall !== 'met').slice(0, MAX_LINES);
  const lines = [
    `### ${plain(title)}`,
    t(L, 'mail.robot.digestSummary', {
      asOf: model.asOf,
      units: model.totals.units,
      met: model.totals.byStatus.met,
    }),
  ];
  if (fewestMet.length) {
    lines.push('', `**${t(L, 'mail.robot.fewestMet')}**`);
    for (const [key, m] of fewestMet)
      lines.push(`- ${plain(labels.get(key) ?? key)}: ${t(L, 'mail.robot.metOf', m)}`);
  }
  if (worst.length) {
    lines.push('', `**${t(L, 'mail.robot.attention')}**`);
    for (const r of worst) lines.push(`- ${plain(r.unit.name)}: ${t(L, `status.${r.overall}`)}`);
  }
  if (model.queueTotal) lines.push('', t(L, 'mail.robot.queue', { n: model.queueTotal }));
  lines.push('', `[${t(L, 'mail.robot.overviewLink')}](${overviewUrl})`);
  return { title, markdown: lines.join('\n') };
}

/** A unit's monthly report for the unit's group robots: each requirement's count and what is still needed. */
export function unitReportMarkdown(
  model: UnitReportModel,
  unitUrl: string,
): { title: string; markdown: string } {
  const L: Locale = model.locale;
  const title = t(L, 'mail.robot.unitTitle', { unit: model.unit.name, period: model.period });
  const lines = [
    `### ${plain(title)}`,
    t(L, 'mail.robot.unitSummary', { asOf: model.asOf, status: t(L, `status.${model.overall}`) }),
    '',
    ...model.requirements.map(
      (r) =>
        `- ${plain(r.shortLabel[L])}: ${r.verified}/${r.minimum}` +
        (r.remaining > 0 ? t(L, 'mail.robot.stillNeeded', { n: r.remaining }) : ''),
    ),
    '',
    `[${t(L, 'mail.robot.unitLink')}](${unitUrl})`,
  ];
  return { title, markdown: lines.join('\n') };
}

/** A rejection for the unit's group robots: what was sent back, why, and a link to the activity. */
export function rejectedMarkdown(
  L: Locale,
  a: { unit: string; title: string; date: string; requirement: string; reason: string | null; url: string },
): { title: string; markdown: string } {
  const title = t(L, 'mail.notice.rejected.title');
  const lines = [
    `### ${plain(title)}`,
    `**${t(L, 'mail.notice.unit')}**${t(L, 'mail.text.colon')}${plain(a.unit)}`,
    `${a.date} · ${plain(a.requirement)} · ${plain(a.title)}`,
    `**${t(L, 'mail.notice.reason')}**${t(L, 'mail.text.colon')}${plain(a.reason ?? '')}`,
    '',
    `[${t(L, 'mail.notice.open')}](${a.url})`,
  ];
  return { title, markdown: lines.join('\n') };
}

/** A deadline reminder for the unit's group robots: the period's end and what is still needed. */
export function reminderMarkdown(
  L: Locale,
  r: { unit: string; subject: string; items: string[]; url: string },
): { title: string; markdown: string } {
  const lines = [
    `### ${plain(r.subject)}`,
    ...r.items.slice(0, MAX_LINES * 2).map((i) => `- ${plain(i)}`),
    '',
    `[${t(L, 'mail.robot.unitLink')}](${r.url})`,
  ];
  return { title: r.subject, markdown: lines.join('\n') };
}

/** A short list for group robots (verifications of an hour, a day's submissions): a title, items, a link. */
export function listMarkdown(
  title: string,
  items: string[],
  more: string | null,
  link: { label: string; url: string },
): { title: string; markdown: string } {
  const lines = [`### ${plain(title)}`, ...items.slice(0, MAX_LINES * 2).map((i) => `- ${plain(i)}`)];
  if (more) lines.push(plain(more));
  lines.push('', `[${link.label}](${link.url})`);
  return { title, markdown: lines.join('\n') };
}
