import {
  addDays,
  type IsoDate,
  type LocalizedText,
  REQUIREMENT_STATUSES,
  type RequirementStatus,
} from '@app/compliance';
import { formatDate, formatMonthDay, type Locale, t } from '.';

/*
 * SPEC §3 v2 "Still needed": one sentence per requirement not yet met, the same on every page, mail and
 * export. Kept out of the i18n index (it uses t()) so the index has no import cycle.
 */

/** What the sentence needs of a requirement: an engine RequirementResult or a scope cell plus its column. */
export interface StillNeededFacts {
  /** The rule set's short label of the requirement. */
  shortLabel: LocalizedText;
  /** Noun of the counted thing in the rule set ('篇' / 'papers'). */
  unit: LocalizedText;
  /** Minimum − verified, at least 0. */
  remaining: number;
  /** Of `remaining`, how many are submitted and waiting for review. */
  remainingPending: number;
  /** Days from today to the period's last day; 0 on that day and after it. */
  daysLeft: number;
  /** 'failed' once the period has ended short of the minimum. */
  status: RequirementStatus;
}

function text(value: LocalizedText, locale: Locale): string {
  return value[locale] || value.zh;
}

/** '1 paper', '2 papers' ('papers' in the rule set); Chinese measure words do not change. */
function noun(locale: Locale, n: number, unit: LocalizedText): string {
  const word = text(unit, locale);
  if (locale === 'en' && n === 1 && /[^s]s$/.test(word)) return word.slice(0, -1);
  return word;
}

/** '12 月 31 日' / '31 December', with the year when it is not today's year. */
function deadlineDate(locale: Locale, date: IsoDate, today: IsoDate): string {
  const sameYear = date.slice(0, 4) === today.slice(0, 4);
  if (locale === 'zh') return sameYear ? formatMonthDay(locale, date) : formatDate(locale, date);
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${t(locale, `month.${m}`)}${sameYear ? '' : ` ${y}`}`;
}

/**
 * "国家级刊物论文还需 1 篇（1 篇待审核），距 12 月 31 日还有 30 天" / "Papers in national journals: 1 more
 * paper needed (1 awaiting review), 30 days left until 31 December"; on the period's last day "…今天截止" /
 * "…due today"; once it has ended "国家级刊物论文未达标，缺 1 篇". `today` is the day the figures are for
 * (the deadline is today + daysLeft). Null when nothing is needed.
 */
export function stillNeededText(locale: Locale, r: StillNeededFacts, today: IsoDate): string | null {
  if (r.remaining <= 0) return null;
  const pendingCount =
    locale === 'zh'
      ? `${r.remainingPending} ${noun(locale, r.remainingPending, r.unit)}`
      : r.remainingPending;
  const params = {
    label: text(r.shortLabel, locale),
    n: r.remaining,
    unit: noun(locale, r.remaining, r.unit),
    pending: r.remainingPending > 0 ? t(locale, 'stillNeeded.pending', { count: pendingCount }) : '',
  };
  if (r.status === 'failed') return t(locale, 'stillNeeded.ended', params);
  let deadline: string;
  if (r.daysLeft <= 0) {
    deadline = t(locale, 'stillNeeded.dueToday');
  } else {
    deadline = t(locale, r.daysLeft === 1 ? 'stillNeeded.dayLeft' : 'stillNeeded.daysLeft', {
      days: r.daysLeft,
      date: deadlineDate(locale, addDays(today, r.daysLeft), today),
    });
  }
  return t(locale, 'stillNeeded.open', { ...params, deadline });
}

/** Requirements not yet met (remaining > 0), worst status first (failed, shortfall, at risk, on track). */
export function notYetMet<T extends { remaining: number; status: RequirementStatus }>(
  items: readonly T[],
): T[] {
  return items
    .filter((r) => r.remaining > 0)
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        REQUIREMENT_STATUSES.indexOf(a.r.status) - REQUIREMENT_STATUSES.indexOf(b.r.status) || a.i - b.i,
    )
    .map(({ r }) => r);
}
