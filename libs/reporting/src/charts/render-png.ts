import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { AnyChartConfig } from './configs';
import type { ChartTask } from './chart.worker';
import { checkChartSize } from './draw-chart';

export { registerChartFonts } from './draw-chart';

/**
 * The worker file: the compiled chart.worker.js next to this file in the built app; from the
 * TypeScript sources (Jest) a small CommonJS entry that compiles them on the fly.
 */
const WORKER_FILE = join(__dirname, __filename.endsWith('.ts') ? 'chart.worker.dev.js' : 'chart.worker.js');

/** How long an idle chart thread is kept before it exits (a monthly run keeps them busy). */
const IDLE_MS = 30_000;

/**
 * Draws charts to PNG in a pool of worker threads (piscina), one per core, so drawing and encoding
 * (about 20 ms a chart) leave the main thread free for the database and the mails. Threads start on
 * the first chart, register Noto Sans SC, and exit after a while without work. close() lets the
 * charts being drawn finish, then ends the threads; a closed pool draws nothing more.
 */
export class ChartRenderPool {
  private pool?: Piscina<ChartTask, Uint8Array>;
  private closed = false;
  private readonly drawing = new Set<Promise<Uint8Array>>();

  constructor(readonly threads: number = availableParallelism()) {}

  /**
   * Draws a chart.js configuration (e.g. from requirementBarsConfig) to a PNG of width × height
   * pixels. Only the config's JSON data is used (as in a page), and the config is left unchanged.
   */
  async render(config: AnyChartConfig, width = 800, height = 400): Promise<Buffer> {
    checkChartSize(width, height);
    if (this.closed) throw new Error('the chart renderer is shut down');
    this.pool ??= new Piscina<ChartTask, Uint8Array>({
      filename: WORKER_FILE,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: IDLE_MS,
      // Idle threads wait on their message port, not in Atomics.wait: waking one then costs the
      // calling thread a message, not a futex call per chart.
      atomics: 'disabled',
    });
    const job = this.pool.run({ config: JSON.stringify(config), width, height });
    this.drawing.add(job);
    try {
      const png = await job;
      return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
    } finally {
      this.drawing.delete(job);
    }
  }

  /** Charts drawn by this pool so far. */
  get completed(): number {
    return this.pool?.completed ?? 0;
  }

  /** Worker threads running now. */
  get running(): number {
    return this.pool?.threads.length ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    // Piscina's own close() waits only for jobs a thread has taken, not for queued ones.
    await Promise.allSettled(this.drawing);
    await pool?.destroy();
  }
}

let shared: ChartRenderPool | undefined;

/** Draws a chart in the process-wide pool (see ChartRenderPool.render). */
export function renderChartPng(config: AnyChartConfig, width = 800, height = 400): Promise<Buffer> {
  return (shared ??= new ChartRenderPool()).render(config, width, height);
}

/** Closes the process-wide pool of renderChartPng (the next call starts a new one). */
export async function closeChartPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
