import { Global, Module } from '@nestjs/common';
import { IntegrityController } from './integrity.controller';
import { IntegrityService } from './integrity.service';

/** Global: activity and evidence changes keep the claim fingerprints in step (IntegrityService). */
@Global()
@Module({
  controllers: [IntegrityController],
  providers: [IntegrityService],
  exports: [IntegrityService],
})
export class IntegrityModule {}
