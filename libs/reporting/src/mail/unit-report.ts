import { formatDate, formatMonth, t } from '../i18n';
import { notYetMet, stillNeededText } from '../i18n/still-needed';
import {
  button,
  esc,
  footerLines,
  heading,
  image,
  layout,
  loc,
  NUM,
  para,
  statusBadge,
  statusCellStyle,
  table,
  td,
  textTable,
} from './html';
import type { MailContent, UnitReportModel, UnitReportRequirement } from './models';

/**
 * What the "still to deliver" section lists (SPEC §3 v2): every requirement not yet met, whatever its
 * status, worst first; on track is not done.
 */
export function stillNeededOf(m: Pick<UnitReportModel, 'requirements'>): UnitReportRequirement[] {
  return notYetMet(m.requirements);
}

export function unitReportSubject(m: UnitReportModel): string {
  return t(m.locale, 'mail.unit.subject', { unit: m.unit.name, month: formatMonth(m.locale, m.period) });
}

/** The unit's monthly report: subject, HTML (charts as cid: images) and the plain-text part. */
export function renderUnitReport(m: UnitReportModel): MailContent {
  const L = m.locale;
  const month = formatMonth(L, m.period);
  const title = t(L, 'mail.unit.title', { month });
  const intro = t(L, 'mail.unit.intro', {
    unit: m.unit.name,
    asOf: formatDate(L, m.asOf),
    start: formatDate(L, m.compliancePeriod.start),
    end: formatDate(L, m.compliancePeriod.end),
  });
  const needed = stillNeededOf(m);
  const neededText = (r: UnitReportRequirement) => stillNeededText(L, r, m.asOf) ?? '';
  const headers = [
    t(L, 'common.requirement'),
    t(L, 'common.verified'),
    t(L, 'common.pending'),
    t(L, 'common.minimum'),
    t(L, 'common.pace'),
    t(L, 'common.status'),
  ];

  const parts: string[] = [];
  if (m.recipientName) parts.push(para(esc(t(L, 'mail.unit.greeting', { name: m.recipientName }))));
  parts.push(para(esc(intro)));
  parts.push(para(esc(t(L, 'mail.unit.overall')).replace('{status}', statusBadge(m.overall, L))));
  parts.push(heading(t(L, 'mail.unit.progressHeading')));
  parts.push(
    table(
      headers,
      m.requirements.map((r) => [
        td(esc(loc(r.label, L))),
        td(String(r.verified), NUM),
        td(String(r.pending), NUM),
        td(String(r.minimum), NUM),
        td(String(r.pace), NUM),
        td(statusBadge(r.status, L), statusCellStyle(r.status)),
      ]),
      [1, 2, 3, 4],
    ),
  );
  parts.push(heading(t(L, 'mail.unit.stillNeededHeading')));
  if (needed.length) {
    parts.push(para(esc(t(L, 'mail.unit.stillNeededIntro'))));
    parts.push(
      `<ul style="margin:0 0 10px;padding-left:20px;font-size:14px;line-height:1.7;">${needed
        .map((r) => `<li style="margin:0 0 4px;">${statusBadge(r.status, L)} ${esc(neededText(r))}</li>`)
        .join('')}</ul>`,
    );
  } else {
    parts.push(para(esc(t(L, 'mail.unit.allMet'))));
  }
  parts.push(heading(t(L, 'mail.unit.rejectedHeading')));
  if (m.rejected.length) {
    parts.push(para(esc(t(L, 'mail.unit.rejectedIntro'))));
    parts.push(
      table(
        [
          t(L, 'mail.col.date'),
          t(L, 'mail.col.requirement'),
          t(L, 'mail.col.title'),
          t(L, 'mail.col.reason'),
        ],
        m.rejected.map((a) => [
          td(esc(formatDate(L, a.date)), 'white-space:nowrap;'),
          td(esc(loc(a.requirement, L))),
          td(esc(a.title)),
          td(esc(a.reason ?? '')),
        ]),
      ),
    );
  } else {
    parts.push(para(esc(t(L, 'mail.unit.noRejected'))));
  }
  parts.push(heading(t(L, 'mail.unit.chartsHeading')));
  parts.push(image(m.charts.bars, t(L, 'mail.alt.bars')));
  parts.push(image(m.charts.cumulative, t(L, 'mail.alt.cumulative')));
  parts.push(button(m.dashboardUrl, t(L, 'mail.unit.cta')));
  const footer = footerLines(L, m.asOf);

  const text = [
    title,
    '',
    ...(m.recipientName ? [t(L, 'mail.unit.greeting', { name: m.recipientName }), ''] : []),
    intro,
    t(L, 'mail.unit.overall', { status: t(L, `status.${m.overall}`) }),
    '',
    `## ${t(L, 'mail.unit.progressHeading')}`,
    textTable(
      headers,
      m.requirements.map((r) => [
        loc(r.label, L),
        String(r.verified),
        String(r.pending),
        String(r.minimum),
        String(r.pace),
        t(L, `status.${r.status}`),
      ]),
    ),
    '',
    `## ${t(L, 'mail.unit.stillNeededHeading')}`,
    ...(needed.length
      ? [
          t(L, 'mail.unit.stillNeededIntro'),
          ...needed.map((r) => `- [${t(L, `status.${r.status}`)}] ${neededText(r)}`),
        ]
      : [t(L, 'mail.unit.allMet')]),
    '',
    `## ${t(L, 'mail.unit.rejectedHeading')}`,
    ...(m.rejected.length
      ? [
          t(L, 'mail.unit.rejectedIntro'),
          ...m.rejected.map(
            (a) =>
              `- ${formatDate(L, a.date)} ${loc(a.requirement, L)} · ${a.title}${a.reason ? ` (${a.reason})` : ''}`,
          ),
        ]
      : [t(L, 'mail.unit.noRejected')]),
    '',
    `${t(L, 'mail.unit.cta')}: ${m.dashboardUrl}`,
    '',
    '--',
    ...footer,
    '',
  ].join('\n');

  return { subject: unitReportSubject(m), html: layout(L, title, parts.join(''), footer), text };
}
