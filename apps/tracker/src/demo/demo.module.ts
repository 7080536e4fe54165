import { Module } from '@nestjs/common';
import { DemoSeedService } from './demo-seed.service';

/** Demonstration data for trying the tracker out (`npm run cli -- demo:seed`). */
@Module({ providers: [DemoSeedService], exports: [DemoSeedService] })
export class DemoModule {}
