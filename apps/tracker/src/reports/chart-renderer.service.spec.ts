import { Test } from '@nestjs/testing';
import { monthlyTrendConfig } from '@app/reporting';
import { ChartRenderer } from './chart-renderer.service';

describe('ChartRenderer', () => {
  it('draws in its worker pool and closes the pool when the app shuts down', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [ChartRenderer] }).compile();
    await moduleRef.init();
    const charts = moduleRef.get(ChartRenderer);
    const config = monthlyTrendConfig([{ month: '2026-01', verified: 3 }], 'zh');
    const png = await charts.render(config, 320, 160);
    expect(png.readUInt32BE(16)).toBe(320);
    // One being drawn while the app shuts down still finishes.
    const drawing = charts.render(config, 320, 160);
    await moduleRef.close();
    expect((await drawing).readUInt32BE(20)).toBe(160);
    await expect(charts.render(config, 320, 160)).rejects.toThrow('shut down');
  });
});
