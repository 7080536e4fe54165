import { Controller, Get, Logger, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { NotFoundError } from '@app/common';
import { AuditService } from '../../audit/audit.service';
import { AuthService } from '../../auth/auth.service';
import { clientAddress } from '../../auth/login-throttle.service';
import { OIDC_COOKIE, OidcFailure, OidcService } from '../../auth/oidc.service';
import { OidcStartQuery } from '../forms';
import { type PageRequest, rememberLocale, safeNext } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/** Single sign-on through OpenID Connect: to the identity provider and back (see OidcService). */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('auth/oidc')
export class OidcPagesController {
  private readonly logger = new Logger('OIDC');

  constructor(
    private readonly views: ViewsService,
    private readonly oidc: OidcService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  @Public()
  @Get('start')
  async start(@Query() q: OidcStartQuery, @Req() req: PageRequest, @Res() res: Response) {
    if (!this.oidc.enabled) throw new NotFoundError('/auth/oidc/start');
    try {
      const { url, cookie } = await this.oidc.start(safeNext(q.next));
      // The page shown on the way back (a refusal) speaks the language chosen on the sign-in page.
      if (q.lang) rememberLocale(res, q.lang);
      res.cookie(OIDC_COOKIE, cookie, this.oidc.cookieOptions(10 * 60_000));
      res.redirect(303, url);
    } catch (e) {
      if (!(e instanceof OidcFailure)) throw e;
      this.refuse(req, res, 'failed', '', 502);
    }
  }

  /** The provider's redirect: its query (code, state, iss, or error) is read as sent, not as a DTO. */
  @Public()
  @Get('callback')
  async callback(@Req() req: PageRequest, @Res() res: Response) {
    if (!this.oidc.enabled) throw new NotFoundError('/auth/oidc/callback');
    const cookie = (req.cookies as Record<string, string> | undefined)?.[OIDC_COOKIE];
    res.clearCookie(OIDC_COOKIE, this.oidc.cookieOptions());
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    let email: string;
    let next: string;
    try {
      ({ email, next } = await this.oidc.finish(cookie, query));
    } catch (e) {
      if (!(e instanceof OidcFailure)) throw e;
      // The detail (a provider error, a failed check) is for operators; the visitor gets a plain page.
      this.logger.warn(`sign-in not completed: ${e.message}`);
      this.audit.record(null, 'oidc_failed', 'user', null, { ip: clientAddress(req), reason: e.reason });
      await this.auth.flush();
      this.refuse(req, res, e.reason, '', 400);
      return;
    }
    const outcome = await this.auth.oidcSignIn(email, req, res);
    if (outcome !== 'ok') {
      this.refuse(req, res, outcome, email, 403);
      return;
    }
    res.redirect(303, safeNext(next));
  }

  private refuse(req: PageRequest, res: Response, reason: string, email: string, status: number) {
    this.views.page(req, res, 'account/oidc-refused.njk', { reason, email }, status);
  }
}
