import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { InvalidInputError } from '@app/common';
import { LABELS, PROVINCES } from '@app/compliance';
import { formatBytes } from '../evidence/evidence-files';
import { openXlsx } from './xlsx-zip';

/*
 * Reading unit lists exported from spreadsheets: .csv (UTF-8, with or without BOM) and .xlsx, both
 * streamed from a file on disk and checked against IMPORT_LIMITS while they are read, so no file can
 * make the process allocate more than a full-size list would. Rows come back as plain records keyed by
 * the header text, one per sheet row below the header (blank rows kept as {} so that index + 2 is the
 * row number the user sees).
 */

export const UNIT_FILE_TYPES = ['.csv', '.xlsx'] as const;

/** Every limit on an imported file, by the rule name a refusal gives. */
export const IMPORT_LIMITS = {
  /** File size (or UPLOAD_MAX_BYTES when that is lower). */
  maxBytes: 5 * 1024 * 1024,
  /** Data rows below the header; a non-blank row numbered beyond maxRows + 1 is refused when read. */
  maxRows: 5000,
  /** A non-empty cell right of this column (AX) is refused when read. */
  maxColumns: 50,
  /** Characters in one CSV record (50 columns of long text fit). */
  maxRowChars: 100_000,
  /** Sum of the uncompressed sizes of the .xlsx's zip entries, declared and actually inflated. */
  maxInflatedBytes: 50 * 1024 * 1024,
} as const;

export const MAX_IMPORT_ROWS = IMPORT_LIMITS.maxRows;

/** The file size limit in force: IMPORT_LIMITS.maxBytes, or UPLOAD_MAX_BYTES when that is lower. */
export function importMaxBytes(env: { UPLOAD_MAX_BYTES: number }): number {
  return Math.min(IMPORT_LIMITS.maxBytes, env.UPLOAD_MAX_BYTES);
}

/** Header texts accepted for each field: English keys and the Chinese headers of the usual templates. */
export const UNIT_COLUMNS: Record<string, { zh: string; aliases: string[] }> = {
  name: { zh: '单位名称', aliases: ['name', '单位名称', '名称'] },
  creditCode: {
    zh: '统一社会信用代码',
    aliases: ['creditCode', 'credit_code', '统一社会信用代码', '信用代码'],
  },
  province: { zh: '省份', aliases: ['province', '省份', '所在省份'] },
  industry: { zh: '行业', aliases: ['industry', '行业', '所属行业'] },
  kind: { zh: '类型', aliases: ['kind', '类型', '单位类型'] },
  program: { zh: '示范项目类别', aliases: ['program', '示范项目类别'] },
  cycleStart: { zh: '建设周期开始', aliases: ['cycleStart', 'cycle_start', '建设周期开始', '周期开始'] },
  cycleEnd: { zh: '建设周期结束', aliases: ['cycleEnd', 'cycle_end', '建设周期结束', '周期结束'] },
  contactName: { zh: '联系人', aliases: ['contactName', 'contact_name', '联系人'] },
  contactEmail: { zh: '联系邮箱', aliases: ['contactEmail', 'contact_email', '联系邮箱', '邮箱'] },
  contacts: { zh: '联系人', aliases: ['contacts'] },
  status: { zh: '状态', aliases: ['status', '状态'] },
};

const ALIAS_TO_FIELD = new Map<string, string>();
for (const [field, { aliases }] of Object.entries(UNIT_COLUMNS)) {
  for (const alias of aliases) ALIAS_TO_FIELD.set(normalizeHeader(alias), field);
}

/** "单位名称*", " Credit Code " and "credit_code" all name the same column. */
function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .replace(/[*＊]|[（(]必填[）)]/g, '')
    .replace(/[\s_]/g, '')
    .toLowerCase();
}

export function fieldForHeader(header: string): string | undefined {
  return ALIAS_TO_FIELD.get(normalizeHeader(header));
}

/** Chinese name of a field (or nested path such as contacts.0.email) for error messages. */
export function zhFieldLabel(field: string): string {
  const [head, index, leaf] = field.split('.');
  if (head === 'contacts' && leaf) {
    const n = Number(index) + 1;
    return leaf === 'email' ? `联系邮箱（第 ${n} 个）` : `联系人（第 ${n} 个）`;
  }
  return UNIT_COLUMNS[head]?.zh ?? field;
}

/**
 * Parses a unit list on disk (an upload in the temporary folder, or the CLI's file); a wrong type, an
 * unreadable file or one over a limit is bad input naming `file` and the rule.
 */
export async function parseUnitFile(
  path: string,
  filename: string,
  maxBytes: number = IMPORT_LIMITS.maxBytes,
): Promise<Record<string, unknown>[]> {
  const ext = extname(filename).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') {
    throw new InvalidInputError(
      'file',
      'fileType',
      '只接受 .csv 或 .xlsx 文件',
      'Only .csv and .xlsx files are accepted',
    );
  }
  const { size } = await stat(path);
  if (size > maxBytes) {
    throw new InvalidInputError(
      'file',
      'maxBytes',
      `文件超过大小上限 ${formatBytes(maxBytes)}`,
      `The file is larger than the limit of ${formatBytes(maxBytes)}`,
    );
  }
  const rows = new RowCollector();
  if (ext === '.csv') await readCsv(path, rows);
  else await readXlsx(path, size, rows);
  if (!rows.records.length) {
    throw new InvalidInputError('file', 'noRows', '文件中没有数据行', 'The file has no data rows');
  }
  return rows.records;
}

export function isBlankRow(row: Record<string, unknown>): boolean {
  return Object.values(row).every((v) => v == null || (typeof v === 'string' && v.trim() === ''));
}

export function unreadable(what: string, detail: string): InvalidInputError {
  return new InvalidInputError(
    'file',
    'unreadable',
    `无法读取${what}文件：${detail}`,
    `Cannot read the ${what} file: ${detail}`,
  );
}

/** Column number → letters (1 → A, 50 → AX), for messages naming a cell. */
function columnName(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/**
 * Builds the records row by row, refusing a cell or row beyond the limits as soon as it is seen. Blank
 * rows are only materialised when a later row has data, so trailing blanks cost nothing.
 */
class RowCollector {
  readonly records: Record<string, unknown>[] = [];
  private headers = new Map<number, string>();

  /** `cells`: [column number (1-based), trimmed text] of the row's non-empty cells. */
  add(rowNumber: number, cells: [number, string][]): void {
    for (const [col] of cells) {
      if (col > IMPORT_LIMITS.maxColumns) {
        const ref = `${columnName(col)}${rowNumber}`;
        throw new InvalidInputError(
          'file',
          'maxColumns',
          `最多 ${IMPORT_LIMITS.maxColumns} 列，单元格 ${ref} 超出`,
          `At most ${IMPORT_LIMITS.maxColumns} columns; cell ${ref} is beyond`,
        );
      }
    }
    if (rowNumber === 1) {
      for (const [col, text] of cells) this.headers.set(col, text);
      return;
    }
    if (!cells.length) return;
    if (rowNumber - 1 > IMPORT_LIMITS.maxRows) {
      throw new InvalidInputError(
        'file',
        'maxRows',
        `一次最多导入 ${IMPORT_LIMITS.maxRows} 行，第 ${rowNumber} 行超出`,
        `At most ${IMPORT_LIMITS.maxRows} rows per import; row ${rowNumber} is beyond`,
      );
    }
    const record: Record<string, unknown> = {};
    for (const [col, text] of cells) {
      const header = this.headers.get(col);
      if (header !== undefined) record[header] = text;
    }
    while (this.records.length < rowNumber - 2) this.records.push({});
    this.records[rowNumber - 2] = record;
  }
}

async function readCsv(path: string, rows: RowCollector): Promise<void> {
  const parser = parse({
    bom: true,
    encoding: 'utf8',
    relax_column_count: true,
    skip_empty_lines: false,
    trim: true,
    max_record_size: IMPORT_LIMITS.maxRowChars,
  });
  const source = createReadStream(path);
  source.on('data', (chunk: Buffer | string) => {
    if (Buffer.isBuffer(chunk) && chunk.includes(0)) parser.destroy(unreadable('CSV', 'not a text file'));
  });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let rowNumber = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber++;
      const cells: [number, string][] = [];
      record.forEach((text, i) => {
        if (text !== '') cells.push([i + 1, text]);
      });
      rows.add(rowNumber, cells);
    }
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    const e = error as Error & { code?: string };
    if (e.code === 'CSV_MAX_RECORD_SIZE') {
      throw new InvalidInputError(
        'file',
        'maxRowChars',
        `第 ${rowNumber + 1} 行超过 ${IMPORT_LIMITS.maxRowChars} 个字符`,
        `Row ${rowNumber + 1} is longer than ${IMPORT_LIMITS.maxRowChars} characters`,
      );
    }
    throw unreadable('CSV', e.message.slice(0, 200));
  } finally {
    source.destroy();
  }
}

async function readXlsx(path: string, size: number, rows: RowCollector): Promise<void> {
  // Checks the zip's declared and inflated sizes first, then hands exceljs only the parts it reads,
  // shared strings and styles before the sheets (so it never parks a sheet in a temporary file).
  const input = await openXlsx(path, size, IMPORT_LIMITS.maxInflatedBytes);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      // The first tab of the workbook, as the user sees it.
      const first = (reader as unknown as { model?: { sheets?: { id: number }[] } }).model?.sheets?.[0];
      if (first && (sheet as unknown as { id: number }).id !== first.id) continue;
      let last = 0;
      for await (const row of sheet) {
        // Rows come in order (a row without its number makes exceljs throw: unreadable too).
        const n = row.number;
        if (!(n > last)) throw unreadable('Excel', `row ${n} after row ${last}`);
        last = n;
        const cells: [number, string][] = [];
        row.eachCell((cell, col) => {
          const text = cellText(cell.value);
          if (text !== '') cells.push([col, text]);
        });
        rows.add(n, cells);
      }
      return;
    }
    throw unreadable('Excel', 'no worksheet');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw unreadable('Excel', (error as Error).message.slice(0, 200));
  } finally {
    input.destroy();
  }
}

/** A cell as the text a user sees: dates as YYYY-MM-DD, links and rich text as their text. */
function cellText(value: ExcelJS.CellValue | undefined): string {
  if (value == null) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((t) => t.text)
        .join('')
        .trim();
    if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return cellText(value.text as ExcelJS.CellValue);
  }
  return '';
}

/**
 * One spreadsheet row to the input of CreateUnitDto: headers mapped to fields, province names to codes,
 * Chinese labels of kind and status to their codes, dates like 2024/7/1 to 2024-07-01, and the
 * 联系人 / 联系邮箱 columns (several separated by ；) to contacts. Unknown values are passed through so
 * validation names them.
 */
export function rowToUnitInput(row: Record<string, unknown>): {
  input: Record<string, unknown>;
  unknownColumns: string[];
} {
  const input: Record<string, unknown> = {};
  const unknownColumns: string[] = [];
  let contactNames: string[] = [];
  let contactEmails: string[] = [];
  for (const [header, raw] of Object.entries(row)) {
    const field = fieldForHeader(header);
    if (!field) {
      unknownColumns.push(header);
      continue;
    }
    if (field === 'contacts' && Array.isArray(raw)) {
      input.contacts = raw;
      continue;
    }
    const value = typeof raw === 'string' ? raw.trim() : raw instanceof Date ? raw : raw == null ? '' : raw;
    if (value === '') continue;
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    switch (field) {
      case 'province':
        input.province = provinceCode(text) ?? text;
        break;
      case 'kind':
        input.kind = codeForLabel(LABELS.unitKind, text, {
          企业: 'enterprise',
          事业单位: 'enterprise',
          地区: 'regional',
        });
        break;
      case 'status':
        input.status = codeForLabel(LABELS.unitStatus, text, {});
        break;
      case 'cycleStart':
      case 'cycleEnd':
        input[field] = normalizeDate(text);
        break;
      case 'creditCode':
        input.creditCode = text.replace(/\s/g, '').toUpperCase();
        break;
      case 'contactName':
        contactNames = splitList(text);
        break;
      case 'contactEmail':
        contactEmails = splitList(text);
        break;
      default:
        input[field] = text;
    }
  }
  const n = Math.max(contactNames.length, contactEmails.length);
  if (n && input.contacts === undefined) {
    input.contacts = Array.from({ length: n }, (_, i) => ({
      name: contactNames[i] ?? '',
      email: contactEmails[i] ?? '',
    }));
  }
  return { input, unknownColumns };
}

function splitList(text: string): string[] {
  return text
    .split(/[;；,，、\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A province by code, Chinese or English name, or a unique short Chinese name such as 广东. */
export function provinceCode(text: string): string | undefined {
  const t = text.trim();
  const exact = PROVINCES.find((p) => p.code === t || p.zh === t || p.en.toLowerCase() === t.toLowerCase());
  if (exact) return exact.code;
  if (t.length < 2) return undefined;
  const prefixed = PROVINCES.filter((p) => p.zh.startsWith(t));
  return prefixed.length === 1 ? prefixed[0].code : undefined;
}

function codeForLabel(
  labels: Record<string, { zh: string; en: string }>,
  text: string,
  extra: Record<string, string>,
): string {
  const t = text.trim();
  if (t in labels) return t;
  for (const [code, l] of Object.entries(labels)) {
    if (l.zh === t || l.en.toLowerCase() === t.toLowerCase()) return code;
  }
  return extra[t] ?? t;
}

/** 2024/7/1, 2024.7.1, 2024年7月1日 and 2024-7-1 all become 2024-07-01; anything else is left as is. */
export function normalizeDate(text: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text.trim());
  if (!m) return text.trim();
  return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
}
