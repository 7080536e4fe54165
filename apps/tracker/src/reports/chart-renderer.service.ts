import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { type AnyChartConfig, ChartRenderPool } from '@app/reporting';

/**
 * The app's chart drawing: a pool of worker threads, one per core (ChartRenderPool), started on the
 * first chart and closed when the app shuts down (the charts being drawn finish first).
 */
@Injectable()
export class ChartRenderer implements OnModuleDestroy {
  private readonly pool = new ChartRenderPool();

  /** A PNG of width × height pixels of the chart.js configuration. */
  render(config: AnyChartConfig, width: number, height: number): Promise<Buffer> {
    return this.pool.render(config, width, height);
  }

  async onModuleDestroy() {
    await this.pool.close();
  }
}
