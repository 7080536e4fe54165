import { Global, Module } from '@nestjs/common';
import { AppLogger, LOG_DESTINATION } from './logging';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';

/** Logs and metrics. Global: any feature may record a metric. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [AppLogger, Metrics, { provide: LOG_DESTINATION, useValue: null }],
  exports: [AppLogger, Metrics],
})
export class ObservabilityModule {}
