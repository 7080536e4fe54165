import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { SERIES_COLORS } from './palette';
import {
  cumulativeLineConfig,
  monthlyTrendConfig,
  requirementBarsConfig,
  requirementShareConfig,
  statusDistributionConfig,
} from './configs';
import { availableParallelism } from 'node:os';
import { drawChartPng } from './draw-chart';
import { ChartRenderPool, closeChartPool, registerChartFonts, renderChartPng } from './render-png';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which a valid PNG has first, right after the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** RGBA pixels of `text` drawn in black on white with the given CSS font. */
function drawText(font: string, text: string): Uint8ClampedArray {
  const canvas = createCanvas(320, 48);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, 320, 48);
  ctx.fillStyle = '#000000';
  ctx.font = font;
  ctx.textBaseline = 'middle';
  ctx.fillText(text, 8, 24);
  return ctx.getImageData(0, 0, 320, 48).data;
}

function differingPixels(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  }
  return n;
}

function inkPixels(a: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] < 128) n++;
  return n;
}

/** Decoded RGBA pixels of a PNG. */
async function pixelsOf(png: Buffer) {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const at = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data);
  /** Pixels of colour '#rrggbb' in the rectangle. */
  const countColor = (hex: string, x: number, y: number, w: number, h: number) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const data = ctx.getImageData(x, y, w, h).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
    }
    return n;
  };
  return { at, countColor };
}

const REQUIREMENTS = ['经验交流、观摩活动', '标准制修订需求或实施情况报告', '国家级刊物论文'];

describe('chart PNG rendering', () => {
  beforeAll(() => registerChartFonts());
  afterAll(() => closeChartPool());

  it('registers the CJK font family once, however often it is called', () => {
    registerChartFonts();
    expect(GlobalFonts.has('Noto Sans SC')).toBe(true);
  });

  it('draws Chinese with the registered font as glyphs, not as boxes', () => {
    const text = '交流活动 标准提案';
    const cjk = drawText('24px "Noto Sans SC"', text);
    const fallback = drawText('24px NoSuchFont', text);
    // Without the registered font both fall back to the same face, so they would be equal.
    expect(differingPixels(cjk, fallback)).toBeGreaterThan(200);
    expect(inkPixels(cjk)).toBeGreaterThan(200);
    // Missing glyphs are all the same box: two different strings of one length would match.
    const other = drawText('24px "Noto Sans SC"', '媒体宣传 人才培养');
    expect(differingPixels(cjk, other)).toBeGreaterThan(200);
  });

  it('renders the requirement bars at the asked size with a white background', async () => {
    const config = requirementBarsConfig(
      REQUIREMENTS.map((label, i) => ({ label, verified: i, pending: 1, minimum: 3 })),
      'zh',
    );
    const before = JSON.stringify(config);
    const png = await renderChartPng(config, 640, 320);
    expect(pngSize(png)).toEqual({ width: 640, height: 320 });
    expect(JSON.stringify(config)).toBe(before);
    const pixels = await pixelsOf(png);
    expect(pixels.at(0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixels.at(639, 319)).toEqual([255, 255, 255, 255]);
    // The legend sits below the axis labels: its amber 'pending' box is in the bottom strip.
    expect(pixels.countColor(SERIES_COLORS.pending, 0, 290, 640, 30)).toBeGreaterThan(20);
  });

  it('renders every chart kind to a PNG of the default size', async () => {
    const configs = [
      cumulativeLineConfig(
        [
          { month: '2026-01', verified: 0, pace: 0 },
          { month: '2026-02', verified: 1, pace: 0 },
          { month: '2026-03', verified: 3, pace: 1 },
        ],
        5,
        'zh',
      ),
      requirementShareConfig(
        REQUIREMENTS.map((label, i) => ({ label, met: i, of: 4 })),
        'en',
      ),
      statusDistributionConfig({ met: 3, on_track: 5, at_risk: 2, shortfall: 1, failed: 0 }, 'zh'),
      monthlyTrendConfig(
        [
          { month: '2025-12', verified: 2 },
          { month: '2026-01', verified: 4 },
        ],
        'en',
      ),
    ];
    for (const config of configs) {
      const png = await renderChartPng(config);
      expect(pngSize(png)).toEqual({ width: 800, height: 400 });
      expect(png.length).toBeGreaterThan(2000);
    }
  });

  it('draws the Chinese title of a chart as different glyphs for different text', async () => {
    const rows = [{ label: 'A', verified: 1, pending: 0, minimum: 1 }];
    const a = await renderChartPng(requirementBarsConfig(rows, 'zh', { title: '交流活动' }));
    const b = await renderChartPng(requirementBarsConfig(rows, 'zh', { title: '标准提案' }));
    expect(a.equals(b)).toBe(false);
  });

  it('draws in a pool of worker threads, at most one per core, the same PNG as drawn in-process', async () => {
    const pool = new ChartRenderPool();
    try {
      expect(pool.threads).toBe(availableParallelism());
      const configs = REQUIREMENTS.map((_, n) =>
        requirementBarsConfig(
          REQUIREMENTS.map((label, i) => ({ label, verified: i + n, pending: 1, minimum: 4 })),
          'zh',
          { title: `第${n + 1}张` },
        ),
      );
      const pngs = await Promise.all([...configs, ...configs].map((c) => pool.render(c, 400, 200)));
      expect(pool.completed).toBe(configs.length * 2);
      expect(pool.running).toBeGreaterThanOrEqual(1);
      expect(pool.running).toBeLessThanOrEqual(availableParallelism());
      for (const [i, c] of configs.entries()) {
        const here = await drawChartPng(JSON.stringify(c), 400, 200);
        expect({ i, same: pngs[i].equals(here), again: pngs[i + configs.length].equals(here) }).toEqual({
          i,
          same: true,
          again: true,
        });
      }
    } finally {
      await pool.close();
    }
    expect(pool.running).toBe(0);
  });

  it('closing the pool lets charts being drawn finish, then refuses new ones', async () => {
    const pool = new ChartRenderPool(1);
    const config = monthlyTrendConfig([{ month: '2026-01', verified: 4 }], 'zh');
    const drawing = pool.render(config, 300, 150);
    await pool.close();
    expect(pngSize(await drawing)).toEqual({ width: 300, height: 150 });
    await expect(pool.render(config, 300, 150)).rejects.toThrow('shut down');
  });

  it('rejects a size that is not whole positive pixels', async () => {
    const config = monthlyTrendConfig([], 'zh');
    await expect(renderChartPng(config, 0, 100)).rejects.toThrow(RangeError);
    await expect(renderChartPng(config, 10.5, 100)).rejects.toThrow(RangeError);
  });
});
