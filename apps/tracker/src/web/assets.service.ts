import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { STATUS_COLORS, STATUS_PILLS, STATUS_TINTS } from '@app/reporting/charts/palette';
import { NODE_MODULES_DIR, PUBLIC_DIR } from './paths';

export const ASSETS_PREFIX = '/assets/';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.css', '.js', '.map', '.svg']);
const FONT_DIR = join(NODE_MODULES_DIR, '@fontsource', 'noto-sans-sc');
const FONT_FILE = /^noto-sans-sc-[a-z0-9-]+-400-normal\.woff2$/;
const CHART_JS = join(NODE_MODULES_DIR, 'chart.js', 'dist', 'chart.umd.min.js');

interface Asset {
  body: Buffer;
  gzip?: Buffer;
  type: string;
  etag: string;
  version: string;
}

/**
 * Serves the pages' own files (no CDN: the offices are offline): everything under web/public, chart.js
 * and the Noto Sans SC font from node_modules. Only listed files are served, never a path built from
 * the URL. URLs carry a content hash (?v=) so browsers keep them for a year; text is sent gzipped,
 * and the font comes in unicode-range slices so a page loads only the characters it shows.
 */
@Injectable()
export class AssetsService {
  private readonly sources = new Map<string, () => Buffer>();
  private readonly cache = new Map<string, Asset>();

  constructor() {
    for (const file of walk(PUBLIC_DIR)) {
      this.sources.set(relative(PUBLIC_DIR, file).split(sep).join('/'), () => readFileSync(file));
    }
    this.sources.set('vendor/chart.js', () => readFileSync(CHART_JS));
    this.sources.set('fonts/noto-sans-sc.css', () => Buffer.from(fontCss(), 'utf8'));
    this.sources.set('status.css', () => Buffer.from(statusCss(), 'utf8'));
  }

  /** Versioned URL of an asset, for templates. */
  url(name: string): string {
    const asset = this.get(name);
    if (!asset) throw new Error(`unknown asset ${name}`);
    return `${ASSETS_PREFIX}${name}?v=${asset.version}`;
  }

  get(name: string): Asset | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let load = this.sources.get(name);
    if (!load && name.startsWith('fonts/') && FONT_FILE.test(name.slice(6))) {
      const file = join(FONT_DIR, 'files', name.slice(6));
      if (existsSync(file)) load = () => readFileSync(file);
    }
    if (!load) return undefined;
    const body = load();
    const ext = extname(name);
    const hash = createHash('sha256').update(body).digest('hex');
    const asset: Asset = {
      body,
      gzip: COMPRESSIBLE.has(ext) ? gzipSync(body, { level: 9 }) : undefined,
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `"${hash.slice(0, 32)}"`,
      version: hash.slice(0, 12),
    };
    this.cache.set(name, asset);
    return asset;
  }

  send(req: Request, res: Response, name: string): void {
    const asset = this.get(name);
    if (!asset) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    const versioned = req.query.v === asset.version || name.startsWith('fonts/');
    res.setHeader('Content-Type', asset.type);
    res.setHeader('ETag', asset.etag);
    res.setHeader(
      'Cache-Control',
      versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate',
    );
    if (asset.gzip) res.setHeader('Vary', 'Accept-Encoding');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const gzip = asset.gzip && req.acceptsEncodings('gzip') === 'gzip';
    const body = gzip ? asset.gzip! : asset.body;
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', String(body.length));
    res.status(200).end(req.method === 'HEAD' ? undefined : body);
  }
}

/** Registered for GET/HEAD /assets/*, before the guard, so assets cost no session lookup. */
@Injectable()
export class AssetsMiddleware implements NestMiddleware {
  constructor(private readonly assets: AssetsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const path = req.originalUrl.split('?')[0];
    if (!path.startsWith(ASSETS_PREFIX) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    let name: string;
    try {
      name = decodeURIComponent(path.slice(ASSETS_PREFIX.length));
    } catch {
      name = '';
    }
    this.assets.send(req, res, name);
  }
}

/** Status colours of tables and badges, from the palette the charts and e-mails use. */
function statusCss(): string {
  return Object.entries(STATUS_COLORS)
    .map(([status, color]) => {
      const tint = STATUS_TINTS[status as keyof typeof STATUS_TINTS];
      const pill = STATUS_PILLS[status as keyof typeof STATUS_PILLS];
      return (
        `.status-${status}{background:${tint}}\n` +
        `tr.status-${status}>td:first-child{box-shadow:inset 4px 0 0 ${color}}\n` +
        `.dot-${status}{color:${color}}\n` +
        `.pill-${status}{background:${pill.background};color:${pill.text};border-radius:999px;padding:0.05rem 0.55rem;font-size:0.82rem;white-space:nowrap}\n`
      );
    })
    .join('');
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** The package's 400-weight CSS pointed at our URLs, WOFF2 only (every supported browser reads it). */
function fontCss(): string {
  const css = readFileSync(join(FONT_DIR, '400.css'), 'utf8');
  return css
    .replace(
      /url\(\.\/files\/([^)]+?\.woff2)\) format\('woff2'\)(, url\([^)]+\.woff\) format\('woff'\))?/g,
      (_m, f) => {
        return `url(${ASSETS_PREFIX}fonts/${f}) format('woff2')`;
      },
    )
    .replace(/\/\*[^*]*\*\/\n?/g, '');
}
