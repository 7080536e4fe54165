import { isIsoDate } from '@app/compliance';
import type { Locale } from './types';

const EN_SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const YEAR_MONTH = /^(\d{4})-(\d{2})$/;

/*
 * Calendar dates are 'YYYY-MM-DD' strings in Asia/Shanghai already; they are split, never passed
 * through Date, so no server time zone can move a day. Anything else is returned unchanged:
 * a view shows the odd value instead of failing.
 */

function parts(iso: string): [number, number, number] | undefined {
  if (!isIsoDate(iso)) return undefined;
  const [y, m, d] = iso.split('-').map(Number);
  return [y, m, d];
}

/** '2026-12-31' → '2026年12月31日' / '31 Dec 2026'. */
export function formatDate(locale: Locale, iso: string): string {
  const p = parts(iso);
  if (!p) return iso;
  const [y, m, d] = p;
  return locale === 'en' ? `${d} ${EN_SHORT_MONTHS[m - 1]} ${y}` : `${y}年${m}月${d}日`;
}

/** '2026-12-31' → '12 月 31 日' / '31 Dec'. */
export function formatMonthDay(locale: Locale, iso: string): string {
  const p = parts(iso);
  if (!p) return iso;
  const [, m, d] = p;
  return locale === 'en' ? `${d} ${EN_SHORT_MONTHS[m - 1]}` : `${m} 月 ${d} 日`;
}

/**
 * '2026-01' (or a full date) → '2026年1月' / 'Jan 2026'; with `withYear: false` → '1月' / 'Jan'.
 */
export function formatMonth(locale: Locale, yearMonth: string, withYear = true): string {
  const m =
    YEAR_MONTH.exec(yearMonth) ?? (isIsoDate(yearMonth) ? YEAR_MONTH.exec(yearMonth.slice(0, 7)) : null);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return yearMonth;
  const [year, month] = [Number(m[1]), Number(m[2])];
  if (locale === 'en') return withYear ? `${EN_SHORT_MONTHS[month - 1]} ${year}` : EN_SHORT_MONTHS[month - 1];
  return withYear ? `${year}年${month}月` : `${month}月`;
}

const SHANGHAI_DATE_TIME = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** An instant as the local date-time in Asia/Shanghai, where every user works: '2026-05-02 10:00'. */
export function formatShanghaiDateTime(at: Date): string {
  return Number.isNaN(at.getTime()) ? '' : SHANGHAI_DATE_TIME.format(at);
}
