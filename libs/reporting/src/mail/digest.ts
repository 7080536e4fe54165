import { type RequirementStatus, todayIn } from '@app/compliance';
import { STATUS_ORDER } from '../charts/palette';
import { formatDate, formatMonth, t, type Locale } from '../i18n';
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
import type { DigestModel, DigestRow, MailContent } from './models';

/** Rows of the unit × requirement table in the mail body; the attachment has all of them. */
export const MAX_TABLE_ROWS = 200;
/** Review-queue entries listed in the mail body. */
export const MAX_QUEUE_ROWS = 30;

export function provinceName(locale: Locale, code: string): string {
  return t(locale, `province.${code}`);
}

/** 'all provinces', or up to three names and how many more. */
export function scopeLabel(locale: Locale, provinces: string[] | null): string {
  if (provinces === null) return t(locale, 'mail.digest.allProvinces');
  const names = provinces.map((p) => provinceName(locale, p));
  const sep = locale === 'en' ? ', ' : '、';
  if (names.length <= 3) return names.join(sep);
  return t(locale, 'mail.digest.scopeMore', { list: names.slice(0, 3).join(sep), n: names.length });
}

export function digestSubject(m: DigestModel): string {
  return t(m.locale, 'mail.digest.subject', {
    scope: scopeLabel(m.locale, m.provinces),
    month: formatMonth(m.locale, m.period),
  });
}

export interface StillNeededLine {
  key: string;
  status: RequirementStatus;
  text: string;
}

/**
 * SPEC §3 v2: every unit with a requirement not yet met, whatever its status (rows come worst overall
 * first), with a still-needed line per such requirement, worst first.
 */
export function stillNeededUnits(m: DigestModel): { row: DigestRow; lines: StillNeededLine[] }[] {
  return m.rows
    .map((row) => {
      const cells = m.requirements
        .filter((q) => row.cells[q.key])
        .map((q) => ({ ...row.cells[q.key], key: q.key, shortLabel: q.label, unit: q.unit }));
      return {
        row,
        lines: notYetMet(cells).map((c) => ({
          key: c.key,
          status: c.status,
          text: stillNeededText(m.locale, c, m.asOf) ?? '',
        })),
      };
    })
    .filter((u) => u.lines.length > 0);
}

/** A supervisor's monthly digest: subject, HTML (charts as cid: images) and the plain-text part. */
export function renderDigest(m: DigestModel): MailContent {
  const L = m.locale;
  const month = formatMonth(L, m.period);
  const title = t(L, 'mail.digest.title', { month });
  const scope = scopeLabel(L, m.provinces);
  const intro = t(L, 'mail.digest.intro', { scope, units: m.totals.units, asOf: formatDate(L, m.asOf) });
  const needed = stillNeededUnits(m);
  const unitName = (row: DigestRow) =>
    t(L, 'mail.digest.stillNeededUnit', {
      unit: row.unit.name,
      province: provinceName(L, row.unit.province),
    });
  const shownRows = m.rows.slice(0, MAX_TABLE_ROWS);
  const rowsTotal = m.rowsTotal ?? m.rows.length;
  // The still-needed list is capped like the table (the workbook has every unit).
  const shownNeeded = needed.slice(0, MAX_TABLE_ROWS);
  const neededTotal = m.neededTotal ?? needed.length;
  const neededTruncated =
    neededTotal > shownNeeded.length
      ? t(L, 'mail.digest.tableTruncated', { shown: shownNeeded.length, total: neededTotal })
      : null;
  const shownQueue = m.queue.slice(0, MAX_QUEUE_ROWS);
  const moreQueue = m.queueTotal - shownQueue.length;
  const cellText = (row: DigestRow, key: string) =>
    row.cells[key] ? `${row.cells[key].verified} / ${row.cells[key].minimum}` : '–';
  const queueHeaders = [
    t(L, 'mail.digest.submitted'),
    t(L, 'common.unit'),
    t(L, 'mail.col.requirement'),
    t(L, 'mail.col.title'),
    t(L, 'mail.digest.waiting'),
  ];
  const submitted = (d: Date | null) => (d ? formatDate(L, todayIn(d)) : '');

  const parts: string[] = [];
  if (m.recipientName) parts.push(para(esc(t(L, 'mail.digest.greeting', { name: m.recipientName }))));
  parts.push(para(esc(intro)));
  if (!m.totals.units) parts.push(para(esc(t(L, 'mail.digest.noUnits'))));

  parts.push(heading(t(L, 'mail.digest.countsHeading')));
  parts.push(
    `<p style="margin:0 0 10px;font-size:14px;line-height:2;">${STATUS_ORDER.map(
      (s) => `${statusBadge(s, L)} <strong>${m.totals.byStatus[s] ?? 0}</strong>`,
    ).join('&nbsp;&nbsp; ')}</p>`,
  );

  parts.push(heading(t(L, 'mail.digest.stillNeededHeading')));
  parts.push(
    needed.length
      ? `<ul style="margin:0 0 10px;padding-left:20px;font-size:14px;line-height:1.7;">${shownNeeded
          .map(
            ({ row, lines }) =>
              `<li style="margin:0 0 6px;">${statusBadge(row.overall, L)} <strong>${esc(unitName(row))}</strong>` +
              `<ul style="margin:2px 0 0;padding-left:18px;font-size:13px;">${lines
                .map((l) => `<li>${statusBadge(l.status, L)} ${esc(l.text)}</li>`)
                .join('')}</ul></li>`,
          )
          .join('')}</ul>`
      : para(esc(t(L, 'mail.digest.allMet'))),
  );
  if (neededTruncated) parts.push(para(esc(neededTruncated), true));

  if (m.rows.length) {
    parts.push(heading(t(L, 'mail.digest.tableHeading')));
    parts.push(para(esc(t(L, 'mail.digest.tableNote')), true));
    parts.push(
      table(
        [t(L, 'common.unit'), t(L, 'mail.digest.overall'), ...m.requirements.map((q) => loc(q.label, L))],
        shownRows.map((row) => [
          td(
            `${esc(row.unit.name)}<br><span style="color:#666666;font-size:12px;">${esc(provinceName(L, row.unit.province))}</span>`,
            'min-width:140px;',
          ),
          td(statusBadge(row.overall, L), statusCellStyle(row.overall)),
          ...m.requirements.map((q) =>
            row.cells[q.key]
              ? td(esc(cellText(row, q.key)), NUM + statusCellStyle(row.cells[q.key].status))
              : td('–', NUM),
          ),
        ]),
        m.requirements.map((_, i) => i + 2),
      ),
    );
    if (rowsTotal > shownRows.length) {
      parts.push(
        para(esc(t(L, 'mail.digest.tableTruncated', { shown: shownRows.length, total: rowsTotal })), true),
      );
    }
  }

  parts.push(heading(t(L, 'mail.digest.queueHeading')));
  if (shownQueue.length) {
    parts.push(
      table(
        queueHeaders,
        shownQueue.map((a) => [
          td(esc(submitted(a.submittedAt)), 'white-space:nowrap;'),
          td(esc(a.unitName)),
          td(esc(loc(a.requirement, L))),
          td(esc(a.title)),
          td(esc(t(L, 'mail.digest.days', { n: a.waitingDays })), NUM),
        ]),
        [4],
      ),
    );
    if (moreQueue > 0) parts.push(para(esc(t(L, 'mail.digest.queueMore', { n: moreQueue })), true));
  } else {
    parts.push(para(esc(t(L, 'mail.digest.queueEmpty'))));
  }

  parts.push(heading(t(L, 'mail.unit.chartsHeading')));
  parts.push(image(m.charts.share, t(L, 'mail.alt.share')));
  parts.push(image(m.charts.status, t(L, 'mail.alt.status')));
  parts.push(para(esc(t(L, 'mail.digest.attachmentNote')), true));
  parts.push(button(m.dashboardUrl, t(L, 'mail.digest.cta')));
  const footer = footerLines(L, m.asOf);

  const text = [
    title,
    '',
    ...(m.recipientName ? [t(L, 'mail.digest.greeting', { name: m.recipientName }), ''] : []),
    intro,
    ...(m.totals.units ? [] : [t(L, 'mail.digest.noUnits')]),
    '',
    `## ${t(L, 'mail.digest.countsHeading')}`,
    STATUS_ORDER.map((s) => `${t(L, `status.${s}`)} ${m.totals.byStatus[s] ?? 0}`).join(' | '),
    '',
    `## ${t(L, 'mail.digest.stillNeededHeading')}`,
    ...(needed.length
      ? shownNeeded.flatMap(({ row, lines }) => [
          `- [${t(L, `status.${row.overall}`)}] ${unitName(row)}`,
          ...lines.map((l) => `  · [${t(L, `status.${l.status}`)}] ${l.text}`),
        ])
      : [t(L, 'mail.digest.allMet')]),
    ...(neededTruncated ? [neededTruncated] : []),
    '',
    ...(m.rows.length
      ? [
          `## ${t(L, 'mail.digest.tableHeading')}`,
          t(L, 'mail.digest.tableNote'),
          textTable(
            [t(L, 'common.unit'), t(L, 'mail.digest.overall'), ...m.requirements.map((q) => loc(q.label, L))],
            shownRows.map((row) => [
              row.unit.name,
              t(L, `status.${row.overall}`),
              ...m.requirements.map((q) =>
                row.cells[q.key]
                  ? `${cellText(row, q.key)} ${t(L, `status.${row.cells[q.key].status}`)}`
                  : '–',
              ),
            ]),
          ),
          ...(rowsTotal > shownRows.length
            ? [t(L, 'mail.digest.tableTruncated', { shown: shownRows.length, total: rowsTotal })]
            : []),
          '',
        ]
      : []),
    `## ${t(L, 'mail.digest.queueHeading')}`,
    ...(shownQueue.length
      ? shownQueue.map(
          (a) =>
            `- ${submitted(a.submittedAt)} ${a.unitName} · ${loc(a.requirement, L)} · ${a.title} (${t(L, 'mail.digest.days', { n: a.waitingDays })})`,
        )
      : [t(L, 'mail.digest.queueEmpty')]),
    ...(moreQueue > 0 ? [t(L, 'mail.digest.queueMore', { n: moreQueue })] : []),
    '',
    t(L, 'mail.digest.attachmentNote'),
    `${t(L, 'mail.digest.cta')}: ${m.dashboardUrl}`,
    '',
    '--',
    ...footer,
    '',
  ].join('\n');

  return { subject: digestSubject(m), html: layout(L, title, parts.join(''), footer), text };
}
