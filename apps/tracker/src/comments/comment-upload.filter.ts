import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Injectable } from '@nestjs/common';
import { Env, InvalidInputError } from '@app/common';
import { ErrorFilter } from '../common/error.filter';
import { FileTooLargeError } from '../evidence/evidence.errors';

/**
 * multer's limit errors of a comment upload (one file in `file`, the text in `body`) as bilingual
 * domain errors naming the field; everything else goes to the global filter as is.
 */
@Injectable()
@Catch()
export class CommentUploadErrorFilter implements ExceptionFilter {
  private readonly fallback = new ErrorFilter();

  constructor(private readonly env: Env) {}

  catch(exception: unknown, host: ArgumentsHost) {
    this.fallback.catch(this.map(exception), host);
  }

  map(exception: unknown): unknown {
    const cause =
      exception instanceof HttpException
        ? (exception.cause as { code?: unknown; field?: string; filename?: string } | undefined)
        : null;
    if (!cause || typeof cause.code !== 'string') return exception;
    switch (cause.code) {
      case 'LIMIT_FILE_SIZE':
        return new FileTooLargeError(cause.filename, this.env.UPLOAD_MAX_BYTES, 'file');
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return new InvalidInputError(
          'file',
          'maxCount',
          '留言最多附一个文件，放在字段 file 中',
          'A comment takes at most one file, in the field "file"',
        );
      case 'LIMIT_FIELD_VALUE':
        return new InvalidInputError('body', 'maxLength', '留言内容过长', 'The comment is too long');
      case 'LIMIT_FIELD_COUNT':
      case 'LIMIT_FIELD_KEY':
      case 'LIMIT_PART_COUNT':
        return new InvalidInputError(
          cause.field ?? 'form',
          'whitelistValidation',
          '留言只接受字段 body 和一个文件 file',
          'A comment takes only the field "body" and one file "file"',
        );
      default:
        return new InvalidInputError(
          cause.field ?? 'file',
          'multipart',
          `上传请求格式无效（${cause.code}）`,
          `Malformed upload request (${cause.code})`,
        );
    }
  }
}
