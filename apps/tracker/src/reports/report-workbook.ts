import ExcelJS from 'exceljs';
import type { RequirementStatus } from '@app/compliance';
import type { Activity } from '@app/db';
import { STATUS_COLORS, STATUS_TINTS, t, type Locale } from '@app/reporting';
import { loc, provinceName } from '@app/reporting/mail';
import type { ScopeComplianceView } from '../compliance/compliance.types';
import { neutralise } from '../web/exports/spreadsheet';
import { stillNeededLines } from '../web/present';

const argb = (hex: string) => `FF${hex.replace('#', '').toUpperCase()}`;

function statusFill(status: RequirementStatus): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb: argb(STATUS_TINTS[status]) } };
}

/** Category details of an activity as one line ("国家级刊物 · 标准化研究 · ISSN …"). */
function details(a: Activity, L: Locale): string {
  const level = (group: string, value?: string | null) => (value ? t(L, `${group}.${value}`) : '');
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
    level('mediaLevel', a.outletLevel),
    a.url,
  ]
    .filter((x) => x)
    .join(' · ');
}

/**
 * The digest's attachment: sheet 1 the full unit × requirement table (cells coloured by status) and
 * what each unit still needs, sheet 2 every activity of the period. Text cells are neutralised against
 * formula injection. Requirement labels are the rule sets' short ones.
 */
export async function digestWorkbook(
  scope: ScopeComplianceView,
  activities: Activity[],
  L: Locale,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'standards-demo-tracker';
  wb.created = new Date(`${scope.at}T00:00:00+08:00`);

  const sum = wb.addWorksheet(t(L, 'mail.xlsx.summarySheet'), {
    views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }],
  });
  const reqHeaders = scope.requirements.flatMap((q) => {
    const label = loc(q.shortLabel, L);
    return [
      `${label} · ${t(L, 'common.verified')}`,
      `${label} · ${t(L, 'common.pending')}`,
      `${label} · ${t(L, 'common.minimum')}`,
      `${label} · ${t(L, 'common.status')}`,
    ];
  });
  sum.addRow(
    [
      t(L, 'common.unit'),
      t(L, 'mail.col.province'),
      t(L, 'mail.col.period'),
      t(L, 'mail.digest.overall'),
      ...reqHeaders,
      t(L, 'stillNeeded.heading'),
    ].map(neutralise),
  );
  sum.getRow(1).font = { bold: true };
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
  }
  sum.getColumn(1).width = 36;
  sum.getColumn(2).width = 14;
  sum.getColumn(3).width = 24;
  sum.getColumn(4).width = 12;
  for (let i = 5; i < 5 + reqHeaders.length; i++) sum.getColumn(i).width = 14;
  sum.getColumn(5 + reqHeaders.length).width = 60;

  const act = wb.addWorksheet(t(L, 'mail.xlsx.activitiesSheet'), { views: [{ state: 'frozen', ySplit: 1 }] });
  act.addRow(
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
  act.getRow(1).font = { bold: true };
  const labels = new Map(scope.requirements.map((q) => [q.key, loc(q.shortLabel, L)]));
  for (const a of activities) {
    act.addRow([
      neutralise(a.unit.name),
      neutralise(provinceName(L, a.unit.province)),
      neutralise(labels.get(a.requirement) ?? a.requirement),
      a.date,
      neutralise(a.title),
      t(L, `activityStatus.${a.status}`),
      a.submittedAt ? a.submittedAt.toISOString() : '',
      a.reviewedAt ? a.reviewedAt.toISOString() : '',
      neutralise(a.rejectReason ?? ''),
      neutralise(details(a, L)),
    ]);
  }
  [36, 14, 28, 12, 40, 10, 24, 24, 30, 60].forEach((w, i) => (act.getColumn(i + 1).width = w));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
