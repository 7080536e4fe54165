import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { BasicPlatform, Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import { PNG } from 'pngjs';

/**
 * Drawing a chart.js configuration on @napi-rs/canvas. Runs in the chart worker threads
 * (chart.worker.ts, see ChartRenderPool in render-png.ts); imports nothing of the app, so a worker
 * loads only chart.js, the canvas and the fonts.
 */

/** The family the chart configs ask for first (FONT_FAMILY in palette.ts). */
const FAMILY = 'Noto Sans SC';

/** Font files registered under the family 'Noto Sans SC'. */
const FONT_FILES = [
  'noto-sans-sc-chinese-simplified-400-normal.woff2',
  'noto-sans-sc-chinese-simplified-700-normal.woff2',
  'noto-sans-sc-latin-400-normal.woff2',
  'noto-sans-sc-latin-700-normal.woff2',
];

let fontsRegistered = false;
let chartsRegistered = false;

/**
 * Registers the Noto Sans SC files of @fontsource/noto-sans-sc with the canvas, once per thread.
 * Without them @napi-rs/canvas has no CJK font and draws every Chinese character as a box. The
 * canvas keeps one font collection per process, so a thread that finds the family there already
 * (registered by another thread) does not add the files twice.
 */
export function registerChartFonts(): void {
  if (fontsRegistered) return;
  if (!GlobalFonts.has(FAMILY)) {
    const dir = join(dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
    for (const file of FONT_FILES) {
      if (!GlobalFonts.registerFromPath(join(dir, file), FAMILY)) {
        throw new Error(`Could not register chart font ${join(dir, file)}`);
      }
    }
  }
  fontsRegistered = true;
}

function registerCharts(): void {
  if (chartsRegistered) return;
  Chart.register(...registerables);
  chartsRegistered = true;
}

/** Paints the canvas white first: PNGs are transparent otherwise, and mail clients show them on grey. */
const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * RGBA pixels as a PNG. Charts are flat colours on white: no row filter and the fastest deflate level
 * give a file about a quarter larger than the canvas's own encoder (adaptive filters, level 6) in
 * under half the time, and encoding was most of a chart's cost in a monthly run.
 */
function encodePng(rgba: Uint8ClampedArray, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png, { colorType: 6, filterType: 0, deflateLevel: 1, deflateStrategy: 0 });
}

/** Throws a RangeError unless width and height are positive whole pixels. */
export function checkChartSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`chart size must be positive whole pixels, got ${width}×${height}`);
  }
}

/**
 * Draws a chart.js configuration, given as its JSON (as a page gets it: chart.js fills in the config
 * it is given, so each drawing gets its own copy), to a PNG of width × height pixels.
 */
export async function drawChartPng(configJson: string, width: number, height: number): Promise<Buffer> {
  checkChartSize(width, height);
  registerChartFonts();
  registerCharts();
  const copy = JSON.parse(configJson) as ChartConfiguration;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const chart = new Chart(ctx as unknown as CanvasRenderingContext2D, {
    ...copy,
    platform: BasicPlatform,
    options: { ...copy.options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [...(copy.plugins ?? []), whiteBackground],
  });
  try {
    // destroy() clears the canvas, so encode first; in this thread (not libuv's pool), so a chart
    // thread is all a chart costs.
    return encodePng(canvas.getContext('2d').getImageData(0, 0, width, height).data, width, height);
  } finally {
    chart.destroy();
  }
}
