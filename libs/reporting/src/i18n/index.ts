import { codes } from './codes';
import { common } from './common';
import { mail } from './mail';
import { picker } from './picker';
import type { AreaMessages, Locale, Messages } from './types';
import { LOCALES } from './types';
import { web } from './web';

export * from './types';
export * from './format';

/** Every area file of the catalog; a key lives in exactly one area (checked by the catalog spec). */
export const MESSAGE_AREAS: Readonly<Record<string, AreaMessages>> = { codes, common, mail, picker, web };

/** The merged catalog, one flat map per language. */
export const MESSAGES: Readonly<Record<Locale, Messages>> = {
  zh: Object.assign({}, ...Object.values(MESSAGE_AREAS).map((a) => a.zh)),
  en: Object.assign({}, ...Object.values(MESSAGE_AREAS).map((a) => a.en)),
};

export type MessageParams = Record<string, string | number | null | undefined>;

/**
 * The text of `key` in `locale`, falling back to Chinese, then to the key itself (so a missing
 * text shows up as its key rather than as nothing). `{name}` is replaced by params.name; a
 * placeholder without a value is left as written.
 */
export function t(locale: Locale, key: string, params?: MessageParams): string {
  const text = MESSAGES[locale]?.[key] ?? MESSAGES.zh[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * A Locale from a query value, cookie or Accept-Language header: English when it asks for English
 * first ('en', 'en-GB,en;q=0.9'), Chinese otherwise (the default).
 */
export function parseLocale(value: unknown): Locale {
  if (typeof value !== 'string') return 'zh';
  const first = value.split(',')[0].trim().toLowerCase();
  return first === 'en' || first.startsWith('en-') || first.startsWith('en;') ? 'en' : 'zh';
}
