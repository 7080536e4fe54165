import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportUnitsCommand } from '../../apps/tracker/src/cli/import-units.command';
import { IMPORT_LIMITS } from '../../apps/tracker/src/units/unit-file';
import { UnitsService } from '../../apps/tracker/src/units/units.service';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { auth, counts, creditCode, unitCsv, unitXlsx, ZH_HEADERS } from '../fixtures/units';
import { rowXml, xlsxWithSheet } from '../fixtures/xlsx';

const MB = 1024 * 1024;

/** A header row of ZH_HEADERS and `n` data rows, as sheet XML. */
function sheetRows(n: number, first = 2): string {
  const cols = 'ABCDEFGHI';
  const parts = [
    rowXml(
      1,
      ZH_HEADERS.map((h, i) => [`${cols[i]}1`, h]),
    ),
  ];
  for (let r = first; r < first + n; r++) {
    parts.push(
      rowXml(r, [
        [`A${r}`, `单位${r}`],
        [`B${r}`, creditCode(600000 + r)],
        [`C${r}`, '31'],
        [`D${r}`, '现代物流'],
        [`E${r}`, 'enterprise'],
        [`F${r}`, '2024-07-01'],
        [`G${r}`, '2026-06-30'],
      ]),
    );
  }
  return parts.join('');
}

describe('units: import limits, checked while reading', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  const incoming = () => readdirSync(join(t.dataDir, 'imports', '.incoming'));
  const upload = (file: Buffer, filename: string) =>
    t.http
      .post('/api/v1/units/import')
      .query({ dryRun: 'true' })
      .set(auth(admin))
      .attach('file', file, filename);

  /** Refused with 400 naming `file` and the rule, quickly, nothing created, no temporary file left. */
  async function refused(file: Buffer, filename: string, rule: string) {
    const before = await counts(t);
    const rss = process.memoryUsage().rss;
    const started = Date.now();
    const res = await upload(file, filename);
    const ms = Date.now() - started;
    const grown = process.memoryUsage().rss - rss;
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'file', rule });
    expect(res.body.message).toBeTruthy();
    expect(res.body.messageZh).toBeTruthy();
    expect(await counts(t)).toEqual(before);
    expect(incoming()).toEqual([]);
    // The unbounded reader took 494 MB and up to 112 s for such files; refused while reading, they take
    // milliseconds on a quiet machine. The bound is loose so a busy shared machine does not fail it.
    expect(ms).toBeLessThan(30_000);
    expect(grown).toBeLessThan(150 * MB);
    return res.body as { message: string; messageZh: string };
  }

  it('the limits are the documented ones', () => {
    expect(IMPORT_LIMITS).toEqual({
      maxBytes: 5 * MB,
      maxRows: 5000,
      maxColumns: 50,
      maxRowChars: 100_000,
      maxInflatedBytes: 50 * MB,
    });
  });

  it('refuses one cell on the last row (1,048,576) of a tiny xlsx, without reading empty rows', async () => {
    const file = xlsxWithSheet(sheetRows(1) + rowXml(1048576, [['A1048576', 'x']]));
    expect(file.length).toBeLessThan(4096);
    const body = await refused(file, 'last-row.xlsx', 'maxRows');
    expect(body.message).toContain('row 1048576');
    expect(body.messageZh).toContain('第 1048576 行');
  });

  it('refuses a zip bomb (a highly compressible 60 MB sheet) from its central directory', async () => {
    const padding = `<!--${' '.repeat(60 * MB)}-->`;
    const file = xlsxWithSheet(sheetRows(1) + padding);
    expect(file.length).toBeLessThan(200 * 1024);
    const body = await refused(file, 'bomb.xlsx', 'maxInflatedBytes');
    expect(body.message).toContain('50 MB');
  });

  it('refuses a sheet whose zip directory understates its size, while inflating', async () => {
    const padding = `<!--${' '.repeat(60 * MB)}-->`;
    const file = xlsxWithSheet(sheetRows(1) + padding, { declaredSize: 1000 });
    await refused(file, 'liar.xlsx', 'maxInflatedBytes');
  });

  it('refuses too many rows, in xlsx and csv', async () => {
    await refused(xlsxWithSheet(sheetRows(IMPORT_LIMITS.maxRows + 1)), 'rows.xlsx', 'maxRows');
    const rows = [ZH_HEADERS];
    for (let i = 0; i <= IMPORT_LIMITS.maxRows; i++) rows.push([`单位${i}`, creditCode(610000 + i), '31']);
    const body = await refused(unitCsv(rows), 'rows.csv', 'maxRows');
    expect(body.message).toContain(`row ${IMPORT_LIMITS.maxRows + 2}`);
  });

  // 5,000 rows are each checked like the API (a minute or more on a busy shared machine).
  it('accepts exactly the row limit (dry run), and trailing blank rows cost nothing', async () => {
    const rows = [ZH_HEADERS];
    for (let i = 0; i < IMPORT_LIMITS.maxRows; i++) {
      rows.push([
        `单位${i}`,
        creditCode(620000 + i),
        '31',
        '现代物流',
        'enterprise',
        '2024-07-01',
        '2026-06-30',
      ]);
    }
    for (let i = 0; i < 100_000; i++) rows.push([]);
    const res = await upload(unitCsv(rows), 'exact.csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: true,
      rows: IMPORT_LIMITS.maxRows,
      valid: IMPORT_LIMITS.maxRows,
    });
    expect(incoming()).toEqual([]);
  }, 300_000);

  it('refuses a value right of column 50, naming the cell, in xlsx and csv', async () => {
    const xlsx = await refused(
      xlsxWithSheet(sheetRows(1) + rowXml(3, [['AY3', 'stray']])),
      'wide.xlsx',
      'maxColumns',
    );
    expect(xlsx.message).toContain('AY3');
    const header = [...ZH_HEADERS, ...Array.from({ length: 42 }, (_, i) => `列${i}`)];
    expect(header).toHaveLength(51);
    const csv = await refused(unitCsv([header, ['x']]), 'wide.csv', 'maxColumns');
    expect(csv.message).toContain('AY1');
    // Empty cells out there (a formatted range) are not data and pass.
    const padded = unitCsv([
      [...ZH_HEADERS, ...Array<string>(60).fill('')],
      ['x', creditCode(630000), '31'],
    ]);
    expect((await upload(padded, 'padded.csv')).status).toBe(200);
  });

  it('refuses a CSV over 5 MB as it arrives, and an over-long CSV record', async () => {
    const line = `单位,${creditCode(640000)},31,${'x'.repeat(200)}\r\n`;
    const big = Buffer.from(
      ZH_HEADERS.join(',') + '\r\n' + line.repeat(Math.ceil((5 * MB) / line.length) + 10),
    );
    expect(big.length).toBeGreaterThan(5 * MB);
    const body = await refused(big, 'big.csv', 'maxBytes');
    expect(body.message).toContain('5 MB');
    await refused(
      unitCsv([ZH_HEADERS, ['x', 'y'.repeat(IMPORT_LIMITS.maxRowChars + 1)]]),
      'long.csv',
      'maxRowChars',
    );
  });

  it('refuses damaged xlsx containers as unreadable', async () => {
    await refused(Buffer.from('PK\x03\x04' + '\0'.repeat(200), 'latin1'), 'broken.xlsx', 'unreadable');
    const noWorkbook = xlsxWithSheet(sheetRows(1)).subarray(0, 100);
    await refused(noWorkbook, 'cut.xlsx', 'unreadable');
  });

  it('refuses rows without their number or out of order as unreadable', async () => {
    const unnumbered = sheetRows(1).replace('<row r="2">', '<row>');
    await refused(xlsxWithSheet(unnumbered), 'no-r.xlsx', 'unreadable');
    await refused(xlsxWithSheet(sheetRows(2) + rowXml(2, [['A2', 'again']])), 'back.xlsx', 'unreadable');
  });

  it('refuses malformed multipart bodies with 400 and leaves no temporary file', async () => {
    for (const [type, body] of [
      ['multipart/form-data; boundary=x', 'garbage'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nname,creditCode',
      ],
    ]) {
      const res = await t.http
        .post('/api/v1/units/import')
        .set(auth(admin))
        .set('content-type', type)
        .send(body);
      expect(res.status).toBe(400);
      expect(incoming()).toEqual([]);
    }
    const two = await t.http
      .post('/api/v1/units/import')
      .set(auth(admin))
      .attach('file', unitCsv([ZH_HEADERS]), 'a.csv')
      .attach('file', unitCsv([ZH_HEADERS]), 'b.csv');
    expect(two.status).toBe(400);
    expect(two.body.errors[0]).toMatchObject({ field: 'file', rule: 'maxCount' });
    expect(incoming()).toEqual([]);
  });

  it('still imports normal xlsx files, without parking sheets in temporary files', async () => {
    // exceljs writes the workbook and shared strings after the sheet; its reader would then copy the
    // sheet to a file in the system's temporary folder, left behind when reading stops early.
    const parked = () => readdirSync(tmpdir()).filter((n) => n.startsWith(`tmp-${process.pid}-`));
    const before = parked();
    const written = await unitXlsx([
      ZH_HEADERS,
      ['正常单位', creditCode(650000), '31', '现代物流', 'enterprise', '2024-07-01', '2026-06-30'],
    ]);
    // Entries with data descriptors (sizes after the data), as streaming zip writers produce them.
    const streamed = xlsxWithSheet(sheetRows(2), {}, { dataDescriptors: true });
    for (const [file, rows] of [
      [written, 1],
      [streamed, 2],
    ] as const) {
      const res = await upload(file, 'ok.xlsx');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ rows, valid: rows, errors: [] });
    }
    // And when reading stops early (here at a stray cell in AY3).
    const wide = await unitXlsx([ZH_HEADERS, ['x'], [...Array<string>(50).fill(''), 'stray']]);
    await refused(wide, 'wide.xlsx', 'maxColumns');
    expect(incoming()).toEqual([]);
    expect(parked()).toEqual(before);
  });

  it('the CLI applies the same limits to a file on disk', async () => {
    const command = new ImportUnitsCommand(t.app.get(UnitsService), t.orm);
    const file = join(t.dataDir, 'last-row.xlsx');
    writeFileSync(file, xlsxWithSheet(sheetRows(1) + rowXml(1048576, [['A1048576', 'x']])));
    await expect(command.run([file], { dryRun: true })).rejects.toMatchObject({
      field: 'file',
      rule: 'maxRows',
    });
    const big = join(t.dataDir, 'big.csv');
    writeFileSync(big, Buffer.alloc(5 * MB + 1, 0x41));
    await expect(command.run([big], { dryRun: true })).rejects.toMatchObject({
      field: 'file',
      rule: 'maxBytes',
    });
  });
});
