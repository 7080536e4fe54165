import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Injectable } from '@nestjs/common';
import { Env, InvalidInputError } from '@app/common';
import { ErrorFilter } from '../common/error.filter';
import { formatBytes } from '../evidence/evidence-files';
import { importMaxBytes } from './unit-file';

/**
 * multer's refusals of an import upload as 400s naming `file` and the rule (a file over the size limit
 * is `maxBytes`, like one the CLI is given); everything else goes to the global filter as is.
 */
@Injectable()
@Catch()
export class ImportUploadErrorFilter implements ExceptionFilter {
  private readonly fallback = new ErrorFilter();

  constructor(private readonly env: Env) {}

  catch(exception: unknown, host: ArgumentsHost) {
    this.fallback.catch(this.map(exception), host);
  }

  map(exception: unknown): unknown {
    const cause = exception instanceof HttpException ? (exception.cause as { code?: unknown }) : null;
    switch (cause?.code) {
      case 'LIMIT_FILE_SIZE': {
        const limit = formatBytes(importMaxBytes(this.env));
        return new InvalidInputError(
          'file',
          'maxBytes',
          `文件超过大小上限 ${limit}`,
          `The file is larger than the limit of ${limit}`,
        );
      }
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return new InvalidInputError(
          'file',
          'maxCount',
          '一次只导入一个文件（字段 file）',
          'Send one file, in the field "file"',
        );
      default:
        return exception;
    }
  }
}
