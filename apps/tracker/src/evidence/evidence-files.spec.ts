import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEvidenceType, contentDisposition, formatBytes, sanitizeFileName } from './evidence-files';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../../test/fixtures/evidence', name));

describe('evidence file names, types and headers', () => {
  it('strips paths, control and bidi characters, leading dots; keeps Chinese names', () => {
    expect(sanitizeFileName('C:\\Users\\张三\\报告.pdf')).toBe('报告.pdf');
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFileName('a\r\nb.pdf')).toBe('ab.pdf');
    expect(sanitizeFileName('...hidden.png')).toBe('hidden.png');
    expect(sanitizeFileName('  ')).toBe('file');
    const long = sanitizeFileName(`${'长'.repeat(300)}.docx`);
    expect(long).toHaveLength(200);
    expect(long.endsWith('.docx')).toBe(true);
  });

  it('writes an ASCII fallback and the exact UTF-8 name (RFC 5987)', () => {
    expect(contentDisposition('attachment', '签到表 (1).xlsx')).toBe(
      `attachment; filename="___ (1).xlsx"; filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8%20%281%29.xlsx`,
    );
    expect(contentDisposition('inline', 'a"b\\c%.pdf')).toBe(
      `inline; filename="a_b_c_.pdf"; filename*=UTF-8''a%22b%5Cc%25.pdf`,
    );
  });

  it.each([
    ['sample.png', 'x.png', 'image/png'],
    ['sample.jpg', 'x.JPG', 'image/jpeg'],
    ['sample.jpg', 'x.jpeg', 'image/jpeg'],
    ['sample.docx', 'x.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['sample.xlsx', 'x.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['sample.doc', 'x.doc', 'application/msword'],
    ['sample.doc', 'x.xls', 'application/vnd.ms-excel'],
  ])('accepts %s named %s as %s', async (file, name, mime) => {
    expect(await checkEvidenceType(fixture(file), name)).toMatchObject({ ok: true, mime });
  });

  it('decides by content: a renamed file or text is refused', async () => {
    expect(await checkEvidenceType(fixture('sample.png'), 'x.pdf')).toEqual({
      ok: false,
      rule: 'contentMismatch',
      detected: 'png',
    });
    expect(await checkEvidenceType(fixture('sample.xlsx'), 'x.docx')).toMatchObject({
      rule: 'contentMismatch',
    });
    expect(await checkEvidenceType(Buffer.from('hello'), 'x.pdf')).toMatchObject({ rule: 'contentMismatch' });
    // A zip signature followed by zeros makes the detector throw; still a mismatch, not an error.
    const brokenZip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200)]);
    for (const name of ['x.docx', 'x.pdf', 'x.xlsx']) {
      expect(await checkEvidenceType(brokenZip, name)).toEqual({
        ok: false,
        rule: 'contentMismatch',
        detected: null,
      });
    }
    expect(await checkEvidenceType(fixture('sample.png'), 'x.gif')).toMatchObject({ rule: 'type' });
    expect(await checkEvidenceType(fixture('sample.png'), 'constructor')).toMatchObject({ rule: 'type' });
  });

  it('reads the content from a file on disk (uploads are streamed there), with the same results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-type-'));
    try {
      const onDisk = (name: string, data: Buffer) => {
        const path = join(dir, name);
        writeFileSync(path, data);
        return path;
      };
      for (const [file, name] of [
        ['sample.docx', 'x.docx'],
        ['sample.xlsx', 'x.xlsx'],
        ['sample.doc', 'x.doc'],
        ['sample.png', 'x.png'],
      ]) {
        const path = onDisk(file, fixture(file));
        expect(await checkEvidenceType(path, name)).toEqual(await checkEvidenceType(fixture(file), name));
        expect(await checkEvidenceType(path, name)).toMatchObject({ ok: true });
      }
      expect(await checkEvidenceType(onDisk('png', fixture('sample.png')), 'x.pdf')).toMatchObject({
        rule: 'contentMismatch',
        detected: 'png',
      });
      const brokenZip = onDisk(
        'broken',
        Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200)]),
      );
      for (const name of ['x.docx', 'x.pdf', 'x.xlsx']) {
        expect(await checkEvidenceType(brokenZip, name)).toEqual({
          ok: false,
          rule: 'contentMismatch',
          detected: null,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formats sizes for messages', () => {
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
    expect(formatBytes(8192)).toBe('8 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(100)).toBe('100 B');
  });
});
