import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { LocalizedText, RequirementStatus } from '@app/compliance';
import { formatShanghaiDateTime, STATUS_COLORS, STATUS_TINTS, t, type Locale } from '@app/reporting';
import { loc, provinceName } from '@app/reporting/mail';
import type { ScopeComplianceView } from '../compliance/compliance.types';
import type { DigestActivityRow } from './report-queries';
import { neutralise } from '../web/exports/spreadsheet';
import { stillNeededLines } from '../web/present';

const argb = (hex: string) => `FF${hex.replace('#', '').toUpperCase()}`;

function statusFill(status: RequirementStatus): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb: argb(STATUS_TINTS[status]) } };
}

/**
 * Rows of the activities sheet at most: a national digest's period holds about a million activities,
 * more than a mail attachment (or Excel, 1,048,576 rows) can carry. A province's is far below it. When
 * there are more, the sheet ends with a line saying how many, and where to find the rest.
 */
export const MAX_WORKBOOK_ACTIVITIES = 100_000;

/** The activities sheet's input: pages of rows, in sheet order. */
export type WorkbookActivities = AsyncIterable<DigestActivityRow[]>;

/** The label of a choice field's value (RuleSetsService.valueLabel: journalLevel national → 国家级). */
export type ValueLabel = (field: string, value: string) => LocalizedText;

export interface WorkbookOptions {
  /** Rows of the activities sheet at most (default MAX_WORKBOOK_ACTIVITIES). */
  maxActivities?: number;
  /** Labels of level and kind values, from the requirement registry; the values themselves without. */
  valueLabel?: ValueLabel;
}

/** Category details of an activity as one line ("标准科学 · 国家级 · ISSN …"). */
function details(a: DigestActivityRow, L: Locale, valueLabel?: ValueLabel): string {
  const level = (field: string, value?: string | null) =>
    value ? (valueLabel ? loc(valueLabel(field, value), L) : value) : '';
  return [
    a.location,
    a.participants != null ? String(a.participants) : '',
    level('standardLevel', a.standardLevel),
    level('standardKind', a.standardKind),
    a.standardNumber,
    a.journal,
    level('journalLevel', a.journalLevel),
    a.issn,
    a.authors,
    a.personName,
    a.certificate,
    a.recipient,
    a.outlet,
    level('outletLevel', a.outletLevel),
    a.url,
  ]
    .filter((x) => x)
    .join(' · ');
}

/**
 * The digest's attachment: sheet 1 the full unit × requirement table (cells coloured by status) and
 * what each unit still needs, sheet 2 every activity of each unit's period (plain rows read in pages).
 * Written with exceljs's streaming writer: each row is committed to the zip as it is added, so memory
 * holds the compressed file and one page of rows, not a workbook model. Text cells are neutralised
 * against formula injection. Requirement labels are the rule sets' short ones.
 */
export async function digestWorkbook(
  scope: ScopeComplianceView,
  activities: WorkbookActivities,
  L: Locale,
  { maxActivities = MAX_WORKBOOK_ACTIVITIES, valueLabel }: WorkbookOptions = {},
): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = 'standards-demo-tracker';
  wb.created = new Date(`${scope.at}T00:00:00+08:00`);

  const reqHeaders = scope.requirements.flatMap((q) => {
    const label = loc(q.shortLabel, L);
    return [
      `${label} · ${t(L, 'common.verified')}`,
      `${label} · ${t(L, 'common.pending')}`,
      `${label} · ${t(L, 'common.minimum')}`,
      `${label} · ${t(L, 'common.status')}`,
    ];
  });
  const sum = wb.addWorksheet(t(L, 'mail.xlsx.summarySheet'), {
    views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }],
  });
  // Widths first: the streaming writer writes them with the sheet's first row.
  sum.columns = [36, 14, 24, 12, ...reqHeaders.map(() => 14), 60].map((width) => ({ width }));
  const sumHead = sum.addRow(
    [
      t(L, 'common.unit'),
      t(L, 'mail.col.province'),
      t(L, 'mail.col.period'),
      t(L, 'mail.digest.overall'),
      ...reqHeaders,
      t(L, 'stillNeeded.heading'),
    ].map(neutralise),
  );
  sumHead.font = { bold: true };
  sumHead.commit();
  for (const row of scope.rows) {
    const cells: (string | number)[] = [
      neutralise(row.unit.name),
      neutralise(provinceName(L, row.unit.province)),
      `${row.period.start} ~ ${row.period.end}`,
      t(L, `status.${row.overall}`),
    ];
    for (const q of scope.requirements) {
      const c = row.requirements[q.key];
      cells.push(...(c ? [c.verified, c.pending, c.minimum, t(L, `status.${c.status}`)] : ['', '', '', '']));
    }
    // SPEC §3 v2: every requirement not yet met, one line each, worst first.
    const needed = stillNeededLines(scope, row, L).map((l) => l.text);
    cells.push(neutralise(needed.length ? needed.join('\n') : t(L, 'stillNeeded.allMet')));
    const added = sum.addRow(cells);
    added.getCell(cells.length).alignment = { wrapText: true, vertical: 'top' };
    added.getCell(4).fill = statusFill(row.overall);
    added.getCell(4).font = { color: { argb: argb(STATUS_COLORS[row.overall]) }, bold: true };
    scope.requirements.forEach((q, i) => {
      const c = row.requirements[q.key];
      if (!c) return;
      for (let k = 0; k < 4; k++) added.getCell(5 + i * 4 + k).fill = statusFill(c.status);
    });
    added.commit();
  }
  sum.commit();

  const act = wb.addWorksheet(t(L, 'mail.xlsx.activitiesSheet'), { views: [{ state: 'frozen', ySplit: 1 }] });
  act.columns = [36, 14, 28, 12, 40, 10, 24, 24, 30, 60].map((width) => ({ width }));
  const actHead = act.addRow(
    [
      t(L, 'common.unit'),
      t(L, 'mail.col.province'),
      t(L, 'mail.col.requirement'),
      t(L, 'mail.col.date'),
      t(L, 'mail.col.title'),
      t(L, 'common.status'),
      t(L, 'mail.col.submittedAt'),
      t(L, 'mail.col.reviewedAt'),
      t(L, 'mail.col.reason'),
      t(L, 'mail.col.details'),
    ].map(neutralise),
  );
  actHead.font = { bold: true };
  actHead.commit();
  const labels = new Map(scope.requirements.map((q) => [q.key, loc(q.shortLabel, L)]));
  const provinces = new Map<string, string>();
  let written = 0;
  let total = 0;
  for await (const page of activities) {
    for (const a of page) {
      // Past the cap the rows are only counted, for the closing line.
      if (total++ >= maxActivities) continue;
      let province = provinces.get(a.province);
      if (province === undefined) provinces.set(a.province, (province = provinceName(L, a.province)));
      act
        .addRow([
          neutralise(a.unitName),
          neutralise(province),
          neutralise(labels.get(a.requirement) ?? a.requirement),
          a.date,
          neutralise(a.title),
          t(L, `activityStatus.${a.status}`),
          // Instants as the local date-time users know (Asia/Shanghai), not UTC.
          a.submittedAt ? formatShanghaiDateTime(a.submittedAt) : '',
          a.reviewedAt ? formatShanghaiDateTime(a.reviewedAt) : '',
          neutralise(a.rejectReason ?? ''),
          neutralise(details(a, L, valueLabel)),
        ])
        .commit();
      written++;
    }
  }
  if (total > written) {
    const note = act.addRow([t(L, 'mail.xlsx.activitiesTruncated', { shown: written, total })]);
    note.font = { italic: true };
    note.commit();
  }
  act.commit();
  await wb.commit();
  await ended;
  return Buffer.concat(chunks);
}
