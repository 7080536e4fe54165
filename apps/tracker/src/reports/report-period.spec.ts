import { asOfFor, isPeriod, latestTickAtOrBefore, periodBounds, periodOfInstant } from './report-period';

describe('report periods', () => {
  it('accepts months YYYY-MM only', () => {
    expect(isPeriod('2026-05')).toBe(true);
    expect(isPeriod('2026-12')).toBe(true);
    for (const bad of [
      '2026-5',
      '2026-13',
      '2026-00',
      '26-05',
      '2026-05-01',
      202605,
      null,
      '1999-01',
      '2101-01',
    ]) {
      expect({ bad, ok: isPeriod(bad) }).toEqual({ bad, ok: false });
    }
  });

  it('bounds a month, leap years included', () => {
    expect(periodBounds('2028-02')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
    expect(periodBounds('2026-02')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
  });

  it('reports a running month as of today, a past one as of its last day, a future one as of its first', () => {
    expect(asOfFor('2026-05', '2026-05-01')).toBe('2026-05-01');
    expect(asOfFor('2026-05', '2026-05-17')).toBe('2026-05-17');
    expect(asOfFor('2026-04', '2026-05-01')).toBe('2026-04-30');
    expect(asOfFor('2026-06', '2026-05-01')).toBe('2026-06-01');
  });

  it('takes the month of a tick in the report time zone', () => {
    // 1 May 08:00 in Shanghai is 1 May 00:00 UTC; 00:30 in Shanghai is still 30 April in UTC.
    expect(periodOfInstant(new Date('2026-05-01T00:00:00Z'), 'Asia/Shanghai')).toBe('2026-05');
    expect(periodOfInstant(new Date('2026-04-30T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-05');
    expect(periodOfInstant(new Date('2026-04-30T16:30:00Z'), 'UTC')).toBe('2026-04');
  });

  describe('the latest tick before now (for catching up)', () => {
    const monthly = '0 8 1 * *';

    it('finds this month’s 08:00 Shanghai tick once it has passed, last month’s before', () => {
      expect(latestTickAtOrBefore(monthly, 'Asia/Shanghai', new Date('2026-05-10T03:00:00Z'))).toEqual(
        new Date('2026-05-01T00:00:00Z'),
      );
      expect(latestTickAtOrBefore(monthly, 'Asia/Shanghai', new Date('2026-04-30T23:59:00Z'))).toEqual(
        new Date('2026-04-01T00:00:00Z'),
      );
      expect(latestTickAtOrBefore(monthly, 'Asia/Shanghai', new Date('2026-05-01T00:00:00Z'))).toEqual(
        new Date('2026-05-01T00:00:00Z'),
      );
    });

    it('handles frequent expressions, and is null when nothing fired in the look-back', () => {
      expect(latestTickAtOrBefore('* * * * *', 'UTC', new Date('2026-05-10T03:00:30Z'))).toEqual(
        new Date('2026-05-10T03:00:00Z'),
      );
      // Yearly on 1 January: nothing in the 35 days before 10 May.
      expect(latestTickAtOrBefore('0 8 1 1 *', 'Asia/Shanghai', new Date('2026-05-10T00:00:00Z'))).toBeNull();
    });
  });
});
