import { gzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import nunjucks from 'nunjucks';
import { Access, type Principal } from '@app/auth';
import { formatDate, type Locale, type MessageParams, t } from '@app/reporting/i18n';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { AssetsService } from './assets.service';
import type { FlashKey } from './forms';
import { type PageRequest, rememberLocale, requestLocale } from './locale';
import { VIEWS_DIR } from './paths';

export interface NavItem {
  href: string;
  key: string;
  active: boolean;
}

const DATE_TIME = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** Date-time in Asia/Shanghai, the zone every user works in: '2026-03-01 08:00'. */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? '' : DATE_TIME.format(d);
}

/**
 * Renders the server-side pages with nunjucks. Autoescape is on, so every value lands in the HTML as
 * text; the templates never use `| safe` on user data. Each page gets the common context: language,
 * `t()`, the signed-in user, the CSRF token and versioned asset URLs.
 */
@Injectable()
export class ViewsService {
  private readonly env: nunjucks.Environment;

  constructor(
    private readonly assets: AssetsService,
    private readonly ruleSets: RuleSetsService,
  ) {
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR), {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
  }

  context(req: PageRequest, locale: Locale = requestLocale(req)) {
    const p = req.principal ?? null;
    const path = req.path;
    const tr = (key: string, params?: MessageParams) => t(locale, key, params);
    return {
      locale,
      htmlLang: locale === 'zh' ? 'zh-CN' : 'en',
      t: tr,
      label: (prefix: string, value: unknown) =>
        value == null || value === '' ? '' : tr(`${prefix}.${String(value)}`),
      /** Labels from the requirement registry: an activity's requirement as its unit's rule set names it. */
      requirementLabel: (a: { program: string; ruleSetVersion: number; requirement: string }) =>
        this.ruleSets.requirementLabel(a.program, a.ruleSetVersion, a.requirement)[locale],
      kindLabel: (_prefix: unknown, key: string) => this.ruleSets.kindLabel(key)[locale],
      valueLabel: (field: string, value: string) => this.ruleSets.valueLabel(field, value)[locale],
      fieldLabel: (field: string) => this.ruleSets.field(field)?.label[locale] ?? field,
      date: (iso: string | null | undefined) => (iso ? formatDate(locale, iso) : ''),
      dateTime: formatDateTime,
      asset: (name: string) => this.assets.url(name),
      user: p,
      csrf: p?.csrfToken ?? '',
      path,
      currentUrl: req.originalUrl,
      nav: p ? navFor(p, path) : [],
      // Links for the language switch of signed-out pages; keep the other query values.
      langUrl: (l: Locale) => urlWith(req, { lang: l }),
      /** This page's URL with some query values changed (null removes one); `done` never carries over. */
      urlWith: (changes: Record<string, string | number | null>) => urlWith(req, changes),
    };
  }

  /** The message of `?done=` shown once after a redirect, in the page's language; '' without one. */
  flash(req: PageRequest, done: FlashKey | undefined): string {
    return done ? t(requestLocale(req), `web.flash.${done}`) : '';
  }

  render(template: string, ctx: object): string {
    return this.env.render(template, ctx);
  }

  /** Renders and sends a page: no caching of personal pages, gzip when the browser takes it. */
  page(req: PageRequest, res: Response, template: string, data: object = {}, status = 200): void {
    const locale = requestLocale(req);
    if (!req.principal && (req.query?.lang === 'zh' || req.query?.lang === 'en')) rememberLocale(res, locale);
    const html = this.render(template, { ...this.context(req, locale), ...data });
    this.sendHtml(req, res, html, status);
  }

  sendHtml(req: PageRequest, res: Response, html: string, status = 200): void {
    res.status(status);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Vary', 'Accept-Encoding, Cookie');
    let body = Buffer.from(html, 'utf8');
    if (body.length > 1400 && req.acceptsEncodings('gzip') === 'gzip') {
      body = gzipSync(body, { level: 6 });
      res.setHeader('Content-Encoding', 'gzip');
    }
    res.setHeader('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function urlWith(req: PageRequest, changes: Record<string, string | number | null>): string {
  const q = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  q.delete('done');
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${req.path}?${s}` : req.path;
}

function navFor(p: Principal, path: string): NavItem[] {
  const items: [string, string][] = [];
  if (p.unitId !== null) items.push([`/units/${p.unitId}`, 'web.nav.myUnit']);
  if (p.unitId !== null && Access.can(p, 'activities:record'))
    items.push(['/activities/new', 'web.nav.newActivity']);
  if (Access.can(p, 'compliance:overview')) items.push(['/overview', 'web.nav.overview']);
  if (Access.can(p, 'activities:review')) items.push(['/review', 'web.nav.review']);
  if (Access.can(p, 'robots:manage')) items.push(['/robots', 'web.nav.robots']);
  if (Access.can(p, 'admin:pages')) {
    items.push(
      ['/admin/units', 'web.nav.units'],
      ['/admin/users', 'web.nav.users'],
      ['/admin/rule-sets', 'web.nav.ruleSets'],
      ['/admin/outbox', 'web.nav.outbox'],
      ['/admin/audit', 'web.nav.audit'],
    );
  }
  return items.map(([href, key]) => ({
    href,
    key,
    active: path === href || (href !== '/' && path.startsWith(`${href}/`)),
  }));
}
