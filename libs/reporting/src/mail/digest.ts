import { todayIn } from '@app/compliance';
import { STATUS_ORDER } from '../charts/palette';
import { formatDate, formatMonth, t, type Locale } from '../i18n';
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

const SHORT_OF = new Set(['failed', 'shortfall', 'at_risk']);

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

/** Units with at least one requirement behind pace, and what each still needs. */
export function shortfallUnits(m: DigestModel): { row: DigestRow; parts: string[] }[] {
  return m.rows
    .filter((r) => SHORT_OF.has(r.overall))
    .map((row) => ({
      row,
      parts: m.requirements
        .filter((q) => row.cells[q.key] && SHORT_OF.has(row.cells[q.key].status))
        .map((q) =>
          t(m.locale, 'mail.digest.shortfallPart', {
            requirement: loc(q.label, m.locale),
            n: row.cells[q.key].remaining,
          }),
        ),
    }));
}

/** A supervisor's monthly digest: subject, HTML (charts as cid: images) and the plain-text part. */
export function renderDigest(m: DigestModel): MailContent {
  const L = m.locale;
  const month = formatMonth(L, m.period);
  const title = t(L, 'mail.digest.title', { month });
  const scope = scopeLabel(L, m.provinces);
  const intro = t(L, 'mail.digest.intro', { scope, units: m.totals.units, asOf: formatDate(L, m.asOf) });
  const sep = L === 'en' ? '; ' : '；';
  const shortfalls = shortfallUnits(m);
  const shownRows = m.rows.slice(0, MAX_TABLE_ROWS);
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

  parts.push(heading(t(L, 'mail.digest.shortfallHeading')));
  parts.push(
    shortfalls.length
      ? `<ul style="margin:0 0 10px;padding-left:20px;font-size:14px;line-height:1.7;">${shortfalls
          .slice(0, MAX_TABLE_ROWS)
          .map(
            ({ row, parts: p }) =>
              `<li>${statusBadge(row.overall, L)} ${esc(
                t(L, 'mail.digest.shortfallItem', {
                  unit: row.unit.name,
                  province: provinceName(L, row.unit.province),
                  items: p.join(sep),
                }),
              )}</li>`,
          )
          .join('')}</ul>`
      : para(esc(t(L, 'mail.digest.noShortfall'))),
  );

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
    if (m.rows.length > shownRows.length) {
      parts.push(
        para(
          esc(t(L, 'mail.digest.tableTruncated', { shown: shownRows.length, total: m.rows.length })),
          true,
        ),
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
    `## ${t(L, 'mail.digest.shortfallHeading')}`,
    ...(shortfalls.length
      ? shortfalls.map(
          ({ row, parts: p }) =>
            `- [${t(L, `status.${row.overall}`)}] ${t(L, 'mail.digest.shortfallItem', {
              unit: row.unit.name,
              province: provinceName(L, row.unit.province),
              items: p.join(sep),
            })}`,
        )
      : [t(L, 'mail.digest.noShortfall')]),
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
          ...(m.rows.length > shownRows.length
            ? [t(L, 'mail.digest.tableTruncated', { shown: shownRows.length, total: m.rows.length })]
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
