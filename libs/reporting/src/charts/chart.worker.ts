import { drawChartPng, registerChartFonts } from './draw-chart';

/** A drawing job of the chart pool (ChartRenderPool): the config as JSON and the PNG's size. */
export interface ChartTask {
  config: string;
  width: number;
  height: number;
}

// Every worker thread has the chart font before its first job.
registerChartFonts();

/** Piscina's handler: draws one chart and answers its PNG (copied to the calling thread). */
export default async function drawChart(task: ChartTask): Promise<Uint8Array> {
  return drawChartPng(task.config, task.width, task.height);
}
