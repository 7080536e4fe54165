import { normalizeSerial, normalizeStandardNumber, normalizeTitle, normalizeUrl } from './claim-keys';

describe('claim keys', () => {
  it('URLs: scheme, host case, www, trailing slash, fragment and tracking parameters do not matter', () => {
    const same = [
      'https://Example.CN/news/7/?id=3&utm_source=wx&utm_campaign=x',
      'http://www.example.cn/news/7?spm=a2c4g.11186623&id=3#comments',
      'https://example.cn:443/news/7//?from=timeline&share_token=abc&id=3&isappinstalled=0',
    ].map(normalizeUrl);
    expect(new Set(same).size).toBe(1);
    expect(same[0]).toBe('example.cn/news/7?id=3');
    expect(normalizeUrl('https://example.cn/news/7?id=4')).not.toBe(same[0]);
    expect(normalizeUrl('https://example.cn/News/7?id=3')).not.toBe(same[0]);
    expect(normalizeUrl('https://example.cn/a?b=2&a=1')).toBe(normalizeUrl('https://example.cn/a?a=1&b=2'));
    expect(normalizeUrl('not a url')).toBeNull();
    expect(normalizeUrl('ftp://example.cn/x')).toBeNull();
  });

  it('titles: NFKC, case, whitespace and punctuation', () => {
    expect(normalizeTitle(' 物流标准化 实践研究。')).toBe(normalizeTitle('物流标准化实践研究'));
    expect(normalizeTitle('ＡＢＣ：Logistics, Standards!')).toBe('abclogisticsstandards');
    expect(normalizeTitle('物流标准化理论研究')).not.toBe(normalizeTitle('物流标准化实践研究'));
  });

  it('ISSN/CN and standard numbers however they are printed', () => {
    expect(normalizeSerial('ISSN 1002-5944')).toBe(normalizeSerial('issn1002-5944'));
    expect(normalizeSerial('1002－5944')).toBe(normalizeSerial('ISSN 1002-5944'));
    expect(normalizeSerial('CN 11-2800/T')).toBe(normalizeSerial('cn11-2800t'));
    expect(normalizeStandardNumber('GB/T 24421.1-2023')).toBe(normalizeStandardNumber('gb／t24421.1—2023'));
    expect(normalizeStandardNumber('GB/T 24421.1-2023')).not.toBe(
      normalizeStandardNumber('GB/T 2442.11-2023'),
    );
  });
});
