import type { Request, Response } from 'express';
import type { Principal } from '@app/auth';
import { isLocale, type Locale, parseLocale } from '@app/reporting/i18n';

export type PageRequest = Request & { principal?: Principal };

export const LANG_COOKIE = 'lang';

/**
 * The language of a page: `?lang=` for this request, else the signed-in user's setting, else the
 * cookie set by the sign-in page's switch, else the browser's first choice (Chinese unless English).
 */
export function requestLocale(req: PageRequest): Locale {
  const q = req.query?.lang;
  if (isLocale(q)) return q;
  if (req.principal) return req.principal.locale;
  const cookie = (req.cookies as Record<string, string> | undefined)?.[LANG_COOKIE];
  if (isLocale(cookie)) return cookie;
  return parseLocale(req.get('accept-language'));
}

/** Remembers an anonymous visitor's choice (signed-in users keep theirs on their account). */
export function rememberLocale(res: Response, locale: Locale): void {
  res.cookie(LANG_COOKIE, locale, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 86_400_000 });
}

/** A local path to return to after a form; anything else (other sites, `//host`) becomes '/'. */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  return /^\/(?![/\\])/.test(value) ? value : '/';
}
