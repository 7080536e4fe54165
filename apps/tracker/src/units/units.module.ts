import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { Env } from '@app/common';
import { incomingDir, incomingStorage, UploadSlot } from '../common/uploads';
import { ImportUploadErrorFilter } from './import-upload.filter';
import { importMaxBytes } from './unit-file';
import { UnitsController } from './units.controller';
import { UnitsService } from './units.service';
import { UnitTargetsController } from './unit-targets.controller';
import { UnitTargetsService } from './unit-targets.service';
import { UnitStatusController } from './unit-status.controller';
import { UnitStatusService } from './unit-status.service';

@Module({
  imports: [
    // Import files are streamed to a temporary folder (parsed from there, never stored, removed after).
    MulterModule.registerAsync({
      inject: [Env],
      useFactory: (env: Env) => ({
        storage: incomingStorage(incomingDir(env.DATA_DIR, 'imports')),
        defParamCharset: 'utf8',
        limits: {
          fileSize: importMaxBytes(env),
          files: 1,
          fields: 10,
          parts: 12,
          fieldNameSize: 100,
          fieldSize: 1024,
          headerPairs: 50,
        },
      }),
    }),
  ],
  controllers: [UnitsController, UnitTargetsController, UnitStatusController],
  providers: [UnitsService, UnitTargetsService, UnitStatusService, UploadSlot, ImportUploadErrorFilter],
  exports: [UnitsService, UnitTargetsService, UnitStatusService],
})
export class UnitsModule {}
