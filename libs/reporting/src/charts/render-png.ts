import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { BasicPlatform, Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import type { AnyChartConfig } from './configs';

/** Font files registered under the family 'Noto Sans SC' (see FONT_FAMILY). */
const FONT_FILES = [
  'noto-sans-sc-chinese-simplified-400-normal.woff2',
  'noto-sans-sc-chinese-simplified-700-normal.woff2',
  'noto-sans-sc-latin-400-normal.woff2',
  'noto-sans-sc-latin-700-normal.woff2',
];

let fontsRegistered = false;
let chartsRegistered = false;

/**
 * Registers the Noto Sans SC files of @fontsource/noto-sans-sc with the canvas once per process.
 * Without them @napi-rs/canvas has no CJK font and draws every Chinese character as a box.
 */
export function registerChartFonts(): void {
  if (fontsRegistered) return;
  const dir = join(dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
  for (const file of FONT_FILES) {
    if (!GlobalFonts.registerFromPath(join(dir, file), 'Noto Sans SC')) {
      throw new Error(`Could not register chart font ${join(dir, file)}`);
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
 * Draws a chart.js configuration (e.g. from requirementBarsConfig) to a PNG of width × height
 * pixels. Only the config's JSON data is used (as in a page), and the config is left unchanged.
 */
export async function renderChartPng(config: AnyChartConfig, width = 800, height = 400): Promise<Buffer> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`chart size must be positive whole pixels, got ${width}×${height}`);
  }
  registerChartFonts();
  registerCharts();
  // A JSON copy, as a page gets it: chart.js fills in the config it is given.
  const copy = JSON.parse(JSON.stringify(config)) as ChartConfiguration;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const chart = new Chart(ctx as unknown as CanvasRenderingContext2D, {
    ...copy,
    platform: BasicPlatform,
    options: { ...copy.options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [...(copy.plugins ?? []), whiteBackground],
  });
  try {
    // destroy() clears the canvas, so encode first.
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
