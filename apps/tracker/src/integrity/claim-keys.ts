import { createHash } from 'node:crypto';
import { normalizePersonKey } from '../activities/activity-kinds';

/*
 * What makes two claims "the same thing", however it was typed. Pure functions; IntegrityService stores
 * their SHA-256 as claim fingerprints.
 */

/** Query parameters that only say how a link was shared, never what it points to. */
const TRACKING_PARAMS = new Set([
  'spm',
  'from',
  'share_token',
  'share_source',
  'share_medium',
  'share_plat',
  'share_from',
  'share_tag',
  'sharer_sharetime',
  'sharer_shareid',
  'shareid',
  'scene',
  'chksm',
  'isappinstalled',
  'vd_source',
  'wfr',
  'fbclid',
  'gclid',
  'msclkid',
  'yclid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
]);

function isTracking(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_PARAMS.has(n);
}

/**
 * A web address reduced to what identifies the page (WHATWG URL parsing): no scheme (http and https are
 * the same report), host in lower case without "www.", default port, trailing slashes and fragment
 * dropped, tracking parameters (utm_*, spm, from, share_token, …) removed and the rest sorted. Null when
 * it is not an http(s) address.
 */
export function normalizeUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.normalize('NFKC').trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const host = u.hostname.replace(/^www\./, '').replace(/\.$/, '');
  const port = u.port ? `:${u.port}` : '';
  const path = u.pathname.replace(/\/+$/, '');
  const params = [...u.searchParams].filter(([k]) => !isTracking(k));
  params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `${host}${port}${path}${query ? `?${query}` : ''}`;
}

/** A title compared as text: NFKC (full-width forms), lower case, no whitespace or punctuation. */
export function normalizeTitle(raw: string): string {
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** An ISSN or CN number as printed either way: "ISSN 1002-5944", "CN11-2800/T", "cn 11-2800/t". */
export function normalizeSerial(raw: string): string {
  return raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/^(ISSN|CN)(?=[\s:：]*\d)/, (m) => (m === 'CN' ? 'CN' : ''))
    .replace(/[\s:：\-–—/]+/g, '');
}

/** A standard or plan number: "GB/T 24421.1-2023" and "gb／t24421.1—2023" are the same. */
export function normalizeStandardNumber(raw: string): string {
  return raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-–—/_]+/g, '');
}

export { normalizePersonKey };

/** The stored key of a normalised value. */
export function claimKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}
