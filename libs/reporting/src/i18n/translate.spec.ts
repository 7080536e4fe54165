import { formatDate, formatMonth, formatMonthDay, MESSAGES, parseLocale, t } from '.';

describe('t()', () => {
  it('returns the app name in each language', () => {
    expect(t('zh', 'app.name')).toBe('标准化示范项目合规跟踪');
    expect(t('en', 'app.name')).toBe('Standardization demonstration compliance tracker');
  });

  it('fills {name} placeholders', () => {
    const params = { n: 2, unit: '次', date: '2026年12月31日' };
    expect(t('zh', 'progress.stillNeeded', params)).toBe('还需 2 次，截至 2026年12月31日');
    expect(t('en', 'progress.stillNeeded', { n: 2, unit: 'events', date: '31 Dec 2026' })).toBe(
      'Still needed: 2 events by 31 Dec 2026',
    );
  });

  it('leaves a placeholder without a value as written and ignores extra params', () => {
    expect(t('zh', 'progress.pendingReview', { other: 1 })).toBe('待审核 {n}');
    expect(t('zh', 'progress.pendingReview', { n: 0 })).toBe('待审核 0');
  });

  it('falls back to Chinese, then to the key', () => {
    (MESSAGES.zh as Record<string, string>)['test.onlyZh'] = '仅中文';
    try {
      expect(t('en', 'test.onlyZh')).toBe('仅中文');
    } finally {
      delete (MESSAGES.zh as Record<string, string>)['test.onlyZh'];
    }
    expect(t('en', 'no.such.key')).toBe('no.such.key');
    expect(t('zh', 'no.such.key', { n: 1 })).toBe('no.such.key');
  });
});

describe('date formatting', () => {
  it('formats a calendar date', () => {
    expect(formatDate('zh', '2026-12-31')).toBe('2026年12月31日');
    expect(formatDate('en', '2026-12-31')).toBe('31 Dec 2026');
    expect(formatDate('zh', '2026-01-05')).toBe('2026年1月5日');
  });

  it('formats month and day', () => {
    expect(formatMonthDay('zh', '2026-12-31')).toBe('12 月 31 日');
    expect(formatMonthDay('en', '2026-03-01')).toBe('1 Mar');
  });

  it('formats a month with or without its year', () => {
    expect(formatMonth('zh', '2026-01')).toBe('2026年1月');
    expect(formatMonth('en', '2026-01')).toBe('Jan 2026');
    expect(formatMonth('zh', '2026-11', false)).toBe('11月');
    expect(formatMonth('en', '2026-11-30', false)).toBe('Nov');
  });

  it('returns a value that is not a calendar date unchanged', () => {
    expect(formatDate('zh', '2027-02-29')).toBe('2027-02-29');
    expect(formatMonthDay('en', 'soon')).toBe('soon');
    expect(formatMonth('en', '2026-13')).toBe('2026-13');
  });
});

describe('parseLocale()', () => {
  it('picks English only when English comes first, Chinese otherwise', () => {
    expect(parseLocale('en')).toBe('en');
    expect(parseLocale('en-GB,en;q=0.9,zh;q=0.8')).toBe('en');
    expect(parseLocale('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(parseLocale('fr')).toBe('zh');
    expect(parseLocale(undefined)).toBe('zh');
    expect(parseLocale(['en'])).toBe('zh');
  });
});
