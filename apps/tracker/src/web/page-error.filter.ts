import {
  ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, busyErrorOf, retryAfterOf, ServiceBusyError, UnauthorizedError } from '@app/common';
import { t } from '@app/reporting/i18n';
import { type PageRequest, requestLocale } from './locale';
import { ViewsService } from './views.service';

/**
 * Errors of page routes become pages, not JSON: signed-out visitors are sent to the sign-in page
 * (and back afterwards), everything else gets an error page in the visitor's language with the
 * right status. Out-of-scope records are 404, like missing ones.
 */
@Injectable()
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Pages');

  constructor(private readonly views: ViewsService) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const req = host.switchToHttp().getRequest<PageRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const busy = busyErrorOf(exception);
    if (busy) exception = busy;
    const retryAfter = retryAfterOf(exception);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    if (busy) {
      this.logger.warn(`${req.method} ${req.path}: ${busy.reason} (503)`);
    }
    if (exception instanceof UnauthorizedError) {
      // A form sent after the session ended returns to the page it came from (which keeps what was typed).
      const safe = req.method === 'GET' || req.method === 'HEAD';
      const back = safe ? req.originalUrl : sameOriginPath(req);
      const next = back && back !== '/' ? `?next=${encodeURIComponent(back)}` : '';
      res.redirect(303, `/login${next}`);
      return;
    }
    const locale = requestLocale(req);
    const { status, message } = describe(exception, locale);
    if (status >= 500 && !(exception instanceof ServiceBusyError)) {
      this.logger.error(`${req.method} ${req.path}: ${(exception as Error)?.stack ?? String(exception)}`);
    }
    this.views.page(req, res, 'error.njk', { status, message }, status);
  }
}

/** The path of the Referer when it is this site's own page (without its one-time `done` message). */
function sameOriginPath(req: PageRequest): string | undefined {
  const referer = req.get('referer');
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    url.searchParams.delete('done');
    return url.host === req.get('host') ? url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}

export function describe(exception: unknown, locale: 'zh' | 'en'): { status: number; message: string } {
  if (exception instanceof DomainError) {
    // "Not found: unit 12" is for API clients; a page says it plainly (and the same for out of scope).
    if (exception.status === 404) return { status: 404, message: t(locale, 'web.error.404') };
    return { status: exception.status, message: locale === 'en' ? exception.en : exception.zh };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const r = exception.getResponse();
    if (typeof r === 'object' && r && 'messageZh' in r) {
      const body = r as { message: string; messageZh: string };
      return { status, message: locale === 'en' ? body.message : body.messageZh };
    }
    const key = `web.error.${status}`;
    const text = t(locale, key);
    return { status, message: text === key ? exception.message : text };
  }
  return { status: 500, message: t(locale, 'web.error.500') };
}
