import { type RequirementStatus, todayIn } from '@app/compliance';
import { STATUS_ORDER } from '../charts/palette';
import { formatDate, formatMonth, t, type Locale } from '../i18n';
import { notYetMet, stillNeededText } from '../i18n/still-needed';
import { loc } from './html';
import type { DigestModel, DigestRow, MailContent } from './models';
import { renderTemplateMail } from './render';

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

/** A supervisor's monthly digest (templates/digest.*.njk): subject, HTML (charts as cid: images), text. */
export function renderDigest(m: DigestModel): MailContent {
  const L = m.locale;
  const needed = stillNeededUnits(m);
  const shownRows = m.rows.slice(0, MAX_TABLE_ROWS);
  const rowsTotal = m.rowsTotal ?? m.rows.length;
  // The still-needed list is capped like the table (the workbook has every unit).
  const shownNeeded = needed.slice(0, MAX_TABLE_ROWS);
  const neededTotal = m.neededTotal ?? needed.length;
  const truncated = (shown: number, total: number) =>
    total > shown ? t(L, 'mail.digest.tableTruncated', { shown, total }) : null;
  const shownQueue = m.queue.slice(0, MAX_QUEUE_ROWS);
  const view = {
    ...m,
    scope: scopeLabel(L, m.provinces),
    statuses: STATUS_ORDER,
    needed: shownNeeded.map(({ row, lines }) => ({
      overall: row.overall,
      unit: t(L, 'mail.digest.stillNeededUnit', {
        unit: row.unit.name,
        province: provinceName(L, row.unit.province),
      }),
      lines,
    })),
    neededNote: truncated(shownNeeded.length, neededTotal),
    columns: m.requirements.map((q) => loc(q.label, L)),
    numericColumns: m.requirements.map((_, i) => i + 2),
    shownRows: shownRows.map((row) => ({ ...row, provinceName: provinceName(L, row.unit.province) })),
    rowsNote: truncated(shownRows.length, rowsTotal),
    shownQueue: shownQueue.map((a) => ({
      ...a,
      submitted: a.submittedAt ? formatDate(L, todayIn(a.submittedAt)) : '',
    })),
    moreQueue: m.queueTotal - shownQueue.length,
  };
  return { subject: digestSubject(m), ...renderTemplateMail('digest', view) };
}
