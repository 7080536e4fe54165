import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { Env } from '@app/common';
import { UnitsController } from './units.controller';
import { UnitsService } from './units.service';
import { UnitTargetsController } from './unit-targets.controller';
import { UnitTargetsService } from './unit-targets.service';

@Module({
  imports: [
    // Uploads stay in memory (they are parsed, never stored) and are capped like evidence files.
    MulterModule.registerAsync({
      inject: [Env],
      useFactory: (env: Env) => ({ limits: { fileSize: env.UPLOAD_MAX_BYTES, files: 1, fields: 10 } }),
    }),
  ],
  controllers: [UnitsController, UnitTargetsController],
  providers: [UnitsService, UnitTargetsService],
  exports: [UnitsService, UnitTargetsService],
})
export class UnitsModule {}
