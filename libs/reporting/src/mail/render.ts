import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { INSTALL_ROOT } from '@app/common/install-root';
import type { LocalizedText } from '@app/compliance';
import { formatDate, formatMonth, type Locale, type MessageParams, t } from '../i18n';
import { STATUS_COLORS, STATUS_PILLS, STATUS_TINTS } from '../charts/palette';
import { BORDER, BRAND, CELL, FONT, HEAD_CELL, loc, MUTED, NUM, TEXT } from './html';

/** Mail templates are read from the source tree, like the pages' views, so dist/ needs no copies. */
export const MAIL_TEMPLATES_DIR = join(INSTALL_ROOT, 'libs', 'reporting', 'src', 'mail', 'templates');

// Autoescaped like the pages; a name the model lacks is an error, not an empty string in a sent mail.
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(MAIL_TEMPLATES_DIR), {
  autoescape: true,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
});

/** Inline styles for mail clients that drop <style> blocks and classes (Outlook, Gmail, Foxmail). */
const STYLE = {
  // A constant of ours with quotes in it ('PingFang SC'): kept as written inside style="…".
  font: new nunjucks.runtime.SafeString(FONT),
  text: TEXT,
  muted: MUTED,
  border: BORDER,
  brand: BRAND,
  cell: CELL,
  headCell: HEAD_CELL,
  num: NUM,
  status: STATUS_COLORS,
  tint: STATUS_TINTS,
  pill: STATUS_PILLS,
};

export interface TemplateModel {
  locale: Locale;
  [name: string]: unknown;
}

/**
 * Renders `<name>.html.njk` and `<name>.txt.njk` from one view model. Both get the model's fields plus
 * `t(key, params)` in the model's language, `date(iso)`, `month(yyyy-mm)`, `loc({zh, en})` (a rule set's
 * text in that language) and `style` (colours, font, table cells).
 * Templates extend `_layout.html.njk` / `_layout.txt.njk`: `{% set title = … %}`, blocks `content` and
 * `footer` (default: the generic "sent automatically" line).
 */
export function renderTemplateMail(name: string, model: TemplateModel): { html: string; text: string } {
  const L = model.locale;
  const context = {
    ...model,
    t: (key: string, params?: MessageParams) => t(L, key, definedParams(name, key, params)),
    date: (iso: string) => formatDate(L, iso),
    month: (period: string) => formatMonth(L, period),
    loc: (text: LocalizedText) => loc(text, L),
    style: STYLE,
    lang: L === 'en' ? 'en' : 'zh-CN',
  };
  // The text part is not HTML: rendered without escaping, from the same model.
  return {
    html: env.render(`${name}.html.njk`, context),
    text:
      textEnv
        .render(`${name}.txt.njk`, context)
        .replace(/\n{3,}/g, '\n\n')
        .trim() + '\n',
  };
}

/** Like throwOnUndefined for the values a template hands to t(): `{unit}` left in a sent mail is a bug. */
function definedParams(mail: string, key: string, params?: MessageParams): MessageParams | undefined {
  for (const [param, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) {
      throw new Error(`mail ${mail}: t('${key}') got ${String(value)} for {${param}}`);
    }
  }
  return params;
}

const textEnv = new nunjucks.Environment(new nunjucks.FileSystemLoader(MAIL_TEMPLATES_DIR), {
  autoescape: false,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
});
