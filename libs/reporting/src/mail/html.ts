import type { LocalizedText } from '@app/compliance';
import type { Locale } from '../i18n';

/*
 * The look of the mails, for the templates (render.ts passes them as `style`): tables and inline styles
 * only (no <style> blocks, no classes), because Outlook, Gmail and Foxmail drop or rewrite the rest.
 */

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
