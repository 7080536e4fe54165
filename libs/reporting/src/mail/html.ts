import type { LocalizedText, RequirementStatus } from '@app/compliance';
import { STATUS_COLORS, STATUS_TINTS } from '../charts/palette';
import { formatDate, t, type Locale } from '../i18n';
import type { MailImage } from './models';

/*
 * Mail HTML: tables and inline styles only (no <style> blocks, no classes), because Outlook, Gmail
 * and Foxmail drop or rewrite the rest. Every value from the database goes through esc().
 */

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function loc(text: LocalizedText, locale: Locale): string {
  return text[locale] || text.zh;
}

export const FONT = "'PingFang SC','Microsoft YaHei','Noto Sans SC','Helvetica Neue',Arial,sans-serif";
export const TEXT = '#222222';
export const MUTED = '#666666';
export const BORDER = '#dddddd';
export const BRAND = '#1f4e79';

export const CELL = `padding:6px 8px;border:1px solid ${BORDER};font-size:13px;line-height:1.4;vertical-align:top;`;
export const HEAD_CELL = `${CELL}background:#f2f4f7;font-weight:bold;text-align:left;`;
export const NUM = 'text-align:right;white-space:nowrap;';

export function heading(text: string): string {
  return `<h2 style="margin:24px 0 8px;font-size:16px;color:${BRAND};font-family:${FONT};">${esc(text)}</h2>`;
}

export function para(html: string, muted = false): string {
  return `<p style="margin:0 0 10px;font-size:14px;line-height:1.6;color:${muted ? MUTED : TEXT};font-family:${FONT};">${html}</p>`;
}

export function statusBadge(status: RequirementStatus, locale: Locale): string {
  return (
    `<span style="display:inline-block;padding:2px 8px;border-radius:10px;background:${STATUS_COLORS[status]};` +
    `color:#ffffff;font-size:12px;white-space:nowrap;">${esc(t(locale, `status.${status}`))}</span>`
  );
}

export function statusCellStyle(status: RequirementStatus): string {
  return `background:${STATUS_TINTS[status]};border-left:4px solid ${STATUS_COLORS[status]};`;
}

export function table(headers: string[], rows: string[][], numeric: number[] = []): string {
  const head = headers
    .map((h, i) => `<th style="${HEAD_CELL}${numeric.includes(i) ? 'text-align:right;' : ''}">${esc(h)}</th>`)
    .join('');
  const body = rows.map((r) => `<tr>${r.join('')}</tr>`).join('');
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" ` +
    `style="border-collapse:collapse;font-family:${FONT};color:${TEXT};margin:0 0 8px;">` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
  );
}

export function td(html: string, style = ''): string {
  return `<td style="${CELL}${style}">${html}</td>`;
}

export function image(img: MailImage, alt: string): string {
  return (
    `<p style="margin:8px 0 16px;"><img src="cid:${esc(img.cid)}" width="${img.width}" height="${img.height}" ` +
    `alt="${esc(alt)}" style="display:block;width:100%;max-width:${img.width}px;height:auto;border:1px solid ${BORDER};" /></p>`
  );
}

export function button(href: string, label: string): string {
  return (
    `<p style="margin:20px 0;"><a href="${esc(href)}" style="display:inline-block;padding:10px 18px;background:${BRAND};` +
    `color:#ffffff;text-decoration:none;border-radius:4px;font-size:14px;font-family:${FONT};">${esc(label)}</a></p>`
  );
}

/** The frame every mail shares: a 680-px column, a brand bar, the body, a footer of plain-text lines. */
export function layout(locale: Locale, title: string, body: string, footer: readonly string[]): string {
  return (
    `<!DOCTYPE html><html lang="${locale === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f5f6f8;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f5f6f8;">` +
    `<tr><td align="center" style="padding:16px 8px;">` +
    `<table role="presentation" width="680" cellpadding="0" cellspacing="0" border="0" ` +
    `style="width:100%;max-width:680px;background:#ffffff;border:1px solid ${BORDER};">` +
    `<tr><td style="background:${BRAND};padding:14px 20px;color:#ffffff;font-family:${FONT};font-size:13px;">` +
    `${esc(t(locale, 'mail.brand'))}</td></tr>` +
    `<tr><td style="padding:20px 24px;font-family:${FONT};color:${TEXT};">` +
    `<h1 style="margin:0 0 16px;font-size:20px;line-height:1.4;color:${TEXT};font-family:${FONT};">${esc(title)}</h1>` +
    body +
    `</td></tr>` +
    `<tr><td style="padding:14px 24px;border-top:1px solid ${BORDER};font-family:${FONT};font-size:12px;color:${MUTED};line-height:1.6;">` +
    footer.map(esc).join('<br>') +
    `</td></tr></table></td></tr></table></body></html>`
  );
}

/** The closing lines every report mail shares: the date its figures are as of, and that it was sent automatically. */
export function footerLines(locale: Locale, asOf: string): string[] {
  return [t(locale, 'mail.footer.asOf', { date: formatDate(locale, asOf) }), t(locale, 'mail.footer.auto')];
}

/** Plain-text table: columns padded, for the text part. */
export function textTable(headers: string[], rows: string[][]): string {
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u2E80-\uFFFF]/.test(ch) ? 2 : 1), 0);
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(widths[i] - width(c), 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
