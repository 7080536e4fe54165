import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { Env } from '@app/common';
import { incomingDir, incomingStorage, UploadSlot } from '../common/uploads';
import { EvidenceModule } from '../evidence/evidence.module';
import { NoticesModule } from '../notices/notices.module';
import { CommentUploadErrorFilter } from './comment-upload.filter';
import { CommentsController } from './comments.controller';
import { CommentsService } from './comments.service';

/** The conversation on each activity between its unit and its reviewers (with one file per comment). */
@Module({
  imports: [
    EvidenceModule,
    NoticesModule,
    // A comment's file is streamed like evidence, into the same temporary folder next to the store.
    MulterModule.registerAsync({
      inject: [Env],
      useFactory: (env: Env) => ({
        storage: incomingStorage(incomingDir(env.DATA_DIR, 'evidence')),
        defParamCharset: 'utf8',
        limits: {
          fileSize: env.UPLOAD_MAX_BYTES,
          files: 1,
          fields: 1,
          // 4000 characters of Chinese are 12,000 bytes; the DTO checks the length itself.
          fieldSize: 64 * 1024,
          parts: 3,
          fieldNameSize: 100,
          headerPairs: 50,
        },
      }),
    }),
  ],
  controllers: [CommentsController],
  providers: [CommentsService, CommentUploadErrorFilter, UploadSlot],
  exports: [CommentsService],
})
export class CommentsModule {}
