import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, busyErrorOf, retryAfterOf } from '@app/common';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  messageZh: string;
  errors?: { field: string; rule: string; message: string }[];
}

/**
 * Maps domain errors and Nest's HTTP exceptions to one JSON shape; anything else is logged and answered
 * with a generic 500 that reveals nothing. A database pool timeout (every connection busy for
 * DATABASE_POOL_TIMEOUT_MS) is load, not a fault: 503 with Retry-After (a throttled sign-in: 429 with it).
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Error');

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const busy = busyErrorOf(exception);
    if (busy) exception = busy;
    const body = this.toBody(exception);
    const retryAfter = retryAfterOf(exception);
    if (retryAfter !== undefined && !res.headersSent) res.setHeader('Retry-After', String(retryAfter));
    if (busy) {
      this.logger.warn(`${req.method} ${req.path}: ${busy.reason} (503)`);
    } else if (body.statusCode >= 500) {
      this.logger.error(`${req.method} ${req.path}: ${(exception as Error)?.stack ?? String(exception)}`);
    }
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const field = exception.details?.field as string | undefined;
      return {
        statusCode: exception.status,
        error: exception.constructor.name.replace(/Error$/, ''),
        message: exception.en,
        messageZh: exception.zh,
        ...(field
          ? { errors: [{ field, rule: String(exception.details?.rule), message: exception.en }] }
          : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const r = exception.getResponse() as string | Record<string, unknown>;
      if (typeof r === 'object' && Array.isArray(r.errors)) return r as unknown as ErrorBody;
      const message = typeof r === 'string' ? r : String(r.message ?? exception.message);
      return { statusCode: status, error: exception.name, message, messageZh: zhForStatus(status, message) };
    }
    return {
      statusCode: 500,
      error: 'InternalError',
      message: 'Internal error',
      messageZh: '服务器内部错误',
    };
  }
}

function zhForStatus(status: number, message: string): string {
  const zh: Record<number, string> = {
    400: '请求无效',
    401: '请先登录',
    403: '无权访问',
    404: '未找到',
    413: '文件过大',
    429: '请求过于频繁，请稍后再试',
  };
  return zh[status] ? `${zh[status]}（${message}）` : message;
}
