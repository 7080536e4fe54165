import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import { InvalidInputError } from '@app/common';
import { formatBytes } from '../evidence/evidence-files';

/*
 * The zip container of an .xlsx, read from its central directory before exceljs sees it: a file that
 * would inflate beyond the limit (a zip bomb, or one whose directory lies about its sizes) is refused
 * before anything is parsed.
 */

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const SHARED_STRINGS = 'xl/sharedStrings.xml';
/** What exceljs's streaming reader uses, in the order it needs them. */
const LEADING = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', SHARED_STRINGS, 'xl/styles.xml'];
const SHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/;
const UNKNOWN_SIZE = 0xffffffff;

function bad(detail: string): InvalidInputError {
  return new InvalidInputError(
    'file',
    'unreadable',
    `无法读取Excel文件：${detail}`,
    `Cannot read the Excel file: ${detail}`,
  );
}

function tooBig(limit: number): InvalidInputError {
  return new InvalidInputError(
    'file',
    'maxInflatedBytes',
    `Excel 文件解压后超过 ${formatBytes(limit)}`,
    `The Excel file inflates to more than ${formatBytes(limit)}`,
  );
}

/**
 * Checks the .xlsx at `path` (`size` bytes) and returns a stream of its zip entries that exceljs's
 * streaming reader can parse: the workbook parts first, then the sheets, nothing else. Refuses (400
 * `file`) a file that is no zip, is encrypted, uses zip64 or an unknown compression, or whose entries
 * inflate (as declared, or in fact) to more than `maxInflated` bytes.
 */
export async function openXlsx(path: string, size: number, maxInflated: number): Promise<Readable> {
  const fh = await open(path, 'r');
  let parts: { entry: ZipEntry; start: number }[];
  let synthetic: Buffer | null = null;
  try {
    const entries = await centralDirectory(fh, size);
    let declared = 0;
    for (const e of entries) declared += e.size === UNKNOWN_SIZE ? Infinity : e.size;
    if (declared > maxInflated) throw tooBig(maxInflated);

    const byName = new Map(entries.map((e) => [e.name, e]));
    const sheets = entries
      .filter((e) => SHEET.test(e.name))
      .sort((a, b) => Number(SHEET.exec(a.name)![1]) - Number(SHEET.exec(b.name)![1]));
    if (!byName.has(LEADING[0]) || !byName.has(LEADING[1]) || !sheets.length) {
      throw bad('not a workbook (no xl/workbook.xml or worksheet)');
    }
    const chosen = [...LEADING.flatMap((n) => byName.get(n) ?? []), ...sheets];
    parts = [];
    for (const entry of chosen) {
      if (entry.flags & 1) throw bad('encrypted');
      if (entry.method !== 0 && entry.method !== 8) throw bad(`unsupported compression in ${entry.name}`);
      const header = Buffer.alloc(30);
      await fh.read(header, 0, 30, entry.offset);
      if (header.readUInt32LE(0) !== 0x04034b50) throw bad(`damaged entry ${entry.name}`);
      const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      if (start + entry.compressedSize > size) throw bad(`damaged entry ${entry.name}`);
      parts.push({ entry, start });
    }
    // Without shared strings exceljs would park the sheets in temporary files; an empty table avoids that.
    if (!byName.has(SHARED_STRINGS)) synthetic = storedEntry(SHARED_STRINGS, '<sst/>');
  } finally {
    await fh.close();
  }

  // The directory may lie: inflate what exceljs will read, counting, and stop at the limit.
  let inflated = 0;
  for (const { entry, start } of parts) {
    inflated += await inflatedSize(path, entry, start, maxInflated - inflated);
    if (inflated > maxInflated) throw tooBig(maxInflated);
  }

  return Readable.from(entryBytes(path, parts, synthetic));
}

/** Each chosen entry, in the chosen order: a local header with its sizes, then its compressed data. */
async function* entryBytes(
  path: string,
  parts: { entry: ZipEntry; start: number }[],
  synthetic: Buffer | null,
): AsyncGenerator<Buffer> {
  for (const [i, { entry, start }] of parts.entries()) {
    // After the workbook and its relations, which every workbook has (checked above).
    if (synthetic && i === 2) yield synthetic;
    const end = start + entry.compressedSize;
    // Local header (re-written without a data descriptor, whose sizes exceljs would have to guess).
    const header = Buffer.alloc(30);
    const name = Buffer.from(entry.name, 'utf8');
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(entry.flags & 0x0800, 6);
    header.writeUInt16LE(entry.method, 8);
    header.writeUInt32LE(entry.crc, 14);
    header.writeUInt32LE(entry.compressedSize, 18);
    header.writeUInt32LE(entry.size, 22);
    header.writeUInt16LE(name.length, 26);
    yield Buffer.concat([header, name]);
    if (end > start) yield* createReadStream(path, { start, end: end - 1 });
  }
  // End of central directory (empty): the streaming parser stops here.
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  yield eocd;
}

function storedEntry(name: string, text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  const n = Buffer.from(name, 'utf8');
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt32LE(crc32(data), 14);
  h.writeUInt32LE(data.length, 18);
  h.writeUInt32LE(data.length, 22);
  h.writeUInt16LE(n.length, 26);
  return Buffer.concat([h, n, data]);
}

async function centralDirectory(fh: Awaited<ReturnType<typeof open>>, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 22 + 0xffff);
  if (tailLength < 22) throw bad('not a zip file');
  const tail = Buffer.alloc(tailLength);
  await fh.read(tail, 0, tailLength, size - tailLength);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('not a zip file');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === UNKNOWN_SIZE) throw bad('zip64 is not supported');
  if (cdOffset + cdSize > size) throw bad('damaged zip directory');
  const cd = Buffer.alloc(cdSize);
  await fh.read(cd, 0, cdSize, cdOffset);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw bad('damaged zip directory');
    const nameLength = cd.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    if (next > cd.length) throw bad('damaged zip directory');
    entries.push({
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      offset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p = next;
  }
  return entries;
}

/** Bytes the entry really inflates to, counted while inflating; stops once past `budget`. */
async function inflatedSize(path: string, e: ZipEntry, start: number, budget: number): Promise<number> {
  if (e.method === 0 || e.compressedSize === 0) return e.compressedSize;
  let n = 0;
  const inflate = createInflateRaw();
  inflate.on('data', (chunk: Buffer) => {
    n += chunk.length;
    if (n > budget) inflate.destroy(new Error('over budget'));
  });
  try {
    await pipeline(createReadStream(path, { start, end: start + e.compressedSize - 1 }), inflate);
  } catch (error) {
    if (n > budget) return n;
    throw bad(`damaged entry ${e.name} (${(error as Error).message.slice(0, 100)})`);
  }
  return n;
}
