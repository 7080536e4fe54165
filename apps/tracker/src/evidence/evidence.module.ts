import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { Env } from '@app/common';
import { MAX_FILES_PER_UPLOAD } from './evidence-files';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { EvidenceStore } from './evidence.store';
import { UploadErrorFilter } from './upload-error.filter';

@Module({
  imports: [
    // Files are held in memory (bounded by these limits) so their content can be checked before
    // anything touches the disk.
    MulterModule.registerAsync({
      inject: [Env],
      useFactory: (env: Env) => ({
        storage: memoryStorage(),
        defParamCharset: 'utf8',
        limits: {
          fileSize: env.UPLOAD_MAX_BYTES,
          files: MAX_FILES_PER_UPLOAD,
          fields: 0,
          parts: MAX_FILES_PER_UPLOAD + 2,
          fieldNameSize: 100,
          headerPairs: 50,
        },
      }),
    }),
  ],
  controllers: [EvidenceController],
  providers: [EvidenceService, EvidenceStore, UploadErrorFilter],
  exports: [EvidenceService],
})
export class EvidenceModule {}
