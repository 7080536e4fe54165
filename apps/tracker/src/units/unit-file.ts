import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { InvalidInputError } from '@app/common';
import { LABELS, PROVINCES } from '@app/compliance';

/*
 * Reading unit lists exported from spreadsheets: .csv (UTF-8, with or without BOM) and .xlsx. Rows come
 * back as plain records keyed by the header text, one per sheet row below the header (blank rows kept
 * as {} so that index + 2 is the row number the user sees).
 */

export const UNIT_FILE_TYPES = ['.csv', '.xlsx'] as const;
export const MAX_IMPORT_ROWS = 5000;

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

/** Parses an uploaded unit list; a wrong type or unreadable file is bad input naming `file`. */
export async function parseUnitFile(buffer: Buffer, filename: string): Promise<Record<string, unknown>[]> {
  const ext = extname(filename).toLowerCase();
  let rows: Record<string, unknown>[];
  if (ext === '.csv') rows = parseCsv(buffer);
  else if (ext === '.xlsx') rows = await parseXlsx(buffer);
  else {
    throw new InvalidInputError(
      'file',
      'fileType',
      '只接受 .csv 或 .xlsx 文件',
      'Only .csv and .xlsx files are accepted',
    );
  }
  while (rows.length && isBlankRow(rows[rows.length - 1])) rows.pop();
  if (!rows.length) {
    throw new InvalidInputError('file', 'noRows', '文件中没有数据行', 'The file has no data rows');
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new InvalidInputError(
      'file',
      'maxRows',
      `一次最多导入 ${MAX_IMPORT_ROWS} 行`,
      `At most ${MAX_IMPORT_ROWS} rows per import`,
    );
  }
  return rows;
}

export function isBlankRow(row: Record<string, unknown>): boolean {
  return Object.values(row).every((v) => v == null || (typeof v === 'string' && v.trim() === ''));
}

function unreadable(what: string, detail: string): InvalidInputError {
  return new InvalidInputError(
    'file',
    'unreadable',
    `无法读取${what}文件：${detail}`,
    `Cannot read the ${what} file: ${detail}`,
  );
}

function parseCsv(buffer: Buffer): Record<string, unknown>[] {
  if (buffer.includes(0)) throw unreadable('CSV', 'not a text file');
  try {
    return parse(buffer, {
      bom: true,
      encoding: 'utf8',
      columns: (header: string[]) => header.map((h) => h.trim()),
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
    }) as Record<string, unknown>[];
  } catch (error) {
    throw unreadable('CSV', (error as Error).message.slice(0, 200));
  }
}

async function parseXlsx(buffer: Buffer): Promise<Record<string, unknown>[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw unreadable('Excel', (error as Error).message.slice(0, 200));
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw unreadable('Excel', 'no worksheet');
  const headers = new Map<number, string>();
  sheet.getRow(1).eachCell((cell, col) => {
    const h = cellText(cell.value);
    if (h) headers.set(col, h);
  });
  const rows: Record<string, unknown>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const record: Record<string, unknown> = {};
    for (const [col, header] of headers) {
      const text = cellText(row.getCell(col).value);
      if (text !== '') record[header] = text;
    }
    rows.push(record);
  }
  return rows;
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
