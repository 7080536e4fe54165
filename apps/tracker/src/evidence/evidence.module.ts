import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { Env } from '@app/common';
import { incomingDir, incomingStorage, UploadSlot } from '../common/uploads';
import { MAX_FILES_PER_UPLOAD } from './evidence-files';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { EvidenceStore } from './evidence.store';
import { UploadErrorFilter } from './upload-error.filter';

@Module({
  imports: [
    // Files are streamed to a temporary folder next to the store (never held in memory), checked
    // there by content, and moved into the store only when the whole upload is accepted.
    MulterModule.registerAsync({
      inject: [Env],
      useFactory: (env: Env) => ({
        storage: incomingStorage(incomingDir(env.DATA_DIR, 'evidence')),
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
  providers: [EvidenceService, EvidenceStore, UploadErrorFilter, UploadSlot],
  exports: [EvidenceService, EvidenceStore],
})
export class EvidenceModule {}
