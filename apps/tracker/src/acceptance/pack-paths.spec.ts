import { UniqueNames, zipSegment } from './pack-paths';

describe('acceptance pack paths: every segment safe to unpack anywhere', () => {
  it('keeps Chinese names as they are', () => {
    expect(zipSegment('2025-03-10-经验交流会')).toBe('2025-03-10-经验交流会');
    expect(zipSegment('签到表.pdf')).toBe('签到表.pdf');
  });

  it('replaces separators and Windows reserved characters, drops control and bidi characters', () => {
    expect(zipSegment('交流会/第一期\\总结')).toBe('交流会_第一期_总结');
    expect(zipSegment('a:b*c?"d"<e>|f')).toBe('a_b_c__d__e__f');
    expect(zipSegment('报告\u0000\u001f\u202e.pdf')).toBe('报告.pdf');
    expect(zipSegment('line\nbreak\ttab')).toBe('linebreaktab');
  });

  it('never yields "" or ".", never holds "..", and drops leading and trailing dots', () => {
    expect(zipSegment('..')).toBe('_');
    expect(zipSegment('.')).toBe('_');
    expect(zipSegment('   ')).toBe('_');
    expect(zipSegment('../../etc/passwd')).toBe('_._etc_passwd');
    expect(zipSegment('报告..终稿...pdf')).toBe('报告.终稿.pdf');
    expect(zipSegment('.hidden.')).toBe('hidden');
  });

  it('prefixes Windows device names', () => {
    expect(zipSegment('CON')).toBe('_CON');
    expect(zipSegment('nul.txt')).toBe('_nul.txt');
    expect(zipSegment('console')).toBe('console');
  });

  it('shortens long names by characters, keeping a short extension', () => {
    const long = `${'很'.repeat(200)}.pdf`;
    const s = zipSegment(long, 80);
    expect([...s]).toHaveLength(80);
    expect(s.endsWith('.pdf')).toBe(true);
  });

  it('numbers collisions per folder, ignoring letter case, before the extension', () => {
    const names = new UniqueNames();
    expect(names.take('a', '签到表.pdf')).toBe('签到表.pdf');
    expect(names.take('a', '签到表.pdf')).toBe('签到表 (2).pdf');
    expect(names.take('a', '签到表.PDF')).toBe('签到表 (3).PDF');
    expect(names.take('b', '签到表.pdf')).toBe('签到表.pdf');
    expect(names.take('a', '2025-06-20-交流会')).toBe('2025-06-20-交流会');
    expect(names.take('a', '2025-06-20-交流会')).toBe('2025-06-20-交流会 (2)');
  });
});
