import ExcelJS from 'exceljs';
import { attachmentHeader, neutralise, toCsv, toXlsx } from './spreadsheet';

describe('exports: CSV and XLSX with formula cells neutralised', () => {
  const dangerous = ['=1+1', '+cmd|calc', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];

  it('prefixes text starting with = + - @ tab or CR, and nothing else', () => {
    for (const v of dangerous) expect(neutralise(v)).toBe(`'${v}`);
    expect(neutralise('正常文本 = 1')).toBe('正常文本 = 1');
    expect(neutralise('a-b')).toBe('a-b');
    expect(neutralise(-5)).toBe(-5);
    expect(neutralise(0)).toBe(0);
    expect(neutralise(null)).toBe('');
    expect(neutralise(undefined)).toBe('');
    expect(neutralise(Number.NaN)).toBe('');
  });

  it('writes CSV with a BOM, CRLF rows, quoting and neutralised cells', () => {
    const buf = toCsv({
      name: 'x',
      headers: ['单位', '备注'],
      rows: [
        ['甲公司', '=HYPERLINK("http://x")'],
        ['乙, "丙"', 'line1\nline2'],
        ['丁', 3],
      ],
    });
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.toString('utf8').slice(1);
    expect(text).toBe(
      '单位,备注\r\n' +
        '甲公司,"\'=HYPERLINK(""http://x"")"\r\n' +
        '"乙, ""丙""","line1\nline2"\r\n' +
        '丁,3\r\n',
    );
  });

  it('writes an XLSX that exceljs reads back: numbers stay numbers, no cell is a formula', async () => {
    const buf = await toXlsx([
      {
        name: '总览/Overview',
        headers: ['单位', '已核实'],
        rows: [['甲', 2], ...dangerous.map((d) => [d, -1])],
      },
      { name: '总览/Overview', headers: ['a'], rows: [] },
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['总览 Overview', '总览 Overview 2']);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([undefined, '单位', '已核实']);
    expect(ws.getCell('B2').value).toBe(2);
    expect(ws.getCell('B3').value).toBe(-1);
    dangerous.forEach((d, i) => {
      const cell = ws.getCell(`A${i + 3}`);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      // XML stores a lone CR as LF; the apostrophe in front is what matters.
      expect(cell.value).toBe(`'${d}`.replace(/\r/g, '\n'));
    });
    ws.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it('names attachments in ASCII and UTF-8', () => {
    expect(attachmentHeader('总览 2026.xlsx')).toBe(
      `attachment; filename="__ 2026.xlsx"; filename*=UTF-8''%E6%80%BB%E8%A7%88%202026.xlsx`,
    );
    expect(attachmentHeader('a"b\\c.csv')).toContain('filename="a_b_c.csv"');
  });
});
