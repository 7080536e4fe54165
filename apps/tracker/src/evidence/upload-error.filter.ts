import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Injectable } from '@nestjs/common';
import { Env, InvalidInputError } from '@app/common';
import { ErrorFilter } from '../common/error.filter';
import { MAX_FILES_PER_UPLOAD } from './evidence-files';
import { FileTooLargeError } from './evidence.errors';

interface MulterLikeError {
  code: string;
  field?: string;
  filename?: string;
}

/**
 * Turns multer's limit errors (which Nest wraps as HttpExceptions with the MulterError as cause) into
 * bilingual domain errors naming the file or field; everything else goes to the global filter as is.
 */
@Injectable()
@Catch()
export class UploadErrorFilter implements ExceptionFilter {
  private readonly fallback = new ErrorFilter();

  constructor(private readonly env: Env) {}

  catch(exception: unknown, host: ArgumentsHost) {
    this.fallback.catch(this.map(exception), host);
  }

  map(exception: unknown): unknown {
    const cause = exception instanceof HttpException ? (exception.cause as Partial<MulterLikeError>) : null;
    if (!cause || typeof cause.code !== 'string') return exception;
    const field = cause.field ?? 'files';
    switch (cause.code) {
      case 'LIMIT_FILE_SIZE':
        return new FileTooLargeError(cause.filename, this.env.UPLOAD_MAX_BYTES);
      case 'LIMIT_FILE_COUNT':
        return new InvalidInputError(
          'files',
          'maxCount',
          `一次最多上传 ${MAX_FILES_PER_UPLOAD} 个文件`,
          `At most ${MAX_FILES_PER_UPLOAD} files per upload`,
        );
      case 'LIMIT_UNEXPECTED_FILE':
        return field === 'files'
          ? new InvalidInputError(
              'files',
              'maxCount',
              `一次最多上传 ${MAX_FILES_PER_UPLOAD} 个文件`,
              `At most ${MAX_FILES_PER_UPLOAD} files per upload`,
            )
          : new InvalidInputError(
              field,
              'unexpectedField',
              `文件须放在字段 files 中，不接受字段「${field}」`,
              `Files must be sent in the field "files", not "${field}"`,
            );
      case 'LIMIT_FIELD_COUNT':
      case 'LIMIT_FIELD_KEY':
      case 'LIMIT_FIELD_VALUE':
        return new InvalidInputError(
          cause.field ?? 'form',
          'whitelistValidation',
          '上传请求只接受字段 files 中的文件',
          'An upload takes only files in the field "files", no other form fields',
        );
      default:
        return new InvalidInputError(
          field,
          'multipart',
          `上传请求格式无效（${cause.code}）`,
          `Malformed upload request (${cause.code})`,
        );
    }
  }
}
