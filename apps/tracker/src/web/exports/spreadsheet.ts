import ExcelJS from 'exceljs';

export type Cell = string | number | null | undefined;

/** One table to export: a header row and data rows, the same for CSV and XLSX. */
export interface Sheet {
  name: string;
  headers: string[];
  rows: Cell[][];
  /** Optional column widths in characters (XLSX only). */
  widths?: number[];
}

// Spreadsheet programs run text starting with these as formulas (CSV injection, OWASP).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Makes a text cell inert: a leading apostrophe keeps Excel, WPS and LibreOffice from reading it as a
 * formula. Numbers are left alone, so real negative numbers stay numbers.
 */
export function neutralise(value: Cell): string | number {
  if (value == null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function csvField(value: Cell): string {
  const v = String(neutralise(value));
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * RFC 4180 CSV with CRLF line ends and a UTF-8 byte-order mark, so Excel and WPS on Chinese Windows
 * open it with the right characters instead of guessing GBK.
 */
export function toCsv(sheet: Sheet): Buffer {
  const lines = [sheet.headers, ...sheet.rows].map((row) => row.map(csvField).join(','));
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}

/** One workbook with a sheet per table; the header row is bold and frozen. */
export async function toXlsx(sheets: Sheet[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'standards-demo-tracker';
  wb.created = new Date();
  const used = new Set<string>();
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheetName(sheet.name, used), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(sheet.headers.map(neutralise));
    ws.getRow(1).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row.map(neutralise));
    sheet.headers.forEach((h, i) => {
      ws.getColumn(i + 1).width = sheet.widths?.[i] ?? Math.min(Math.max(h.length * 2, 10), 40);
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Excel sheet names: at most 31 characters, none of []:*?/\ and unique in the workbook. */
function sheetName(name: string, used: Set<string>): string {
  const base =
    name
      .replace(/[[\]:*?/\\]/g, ' ')
      .slice(0, 31)
      .trim() || 'Sheet';
  let candidate = base;
  for (let i = 2; used.has(candidate.toLowerCase()); i++) {
    candidate = `${base.slice(0, 28)} ${i}`;
  }
  used.add(candidate.toLowerCase());
  return candidate;
}

/** A file name safe in a Content-Disposition header, with the UTF-8 form for Chinese names. */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
