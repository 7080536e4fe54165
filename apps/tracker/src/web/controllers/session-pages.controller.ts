import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type Principal, Public } from '@app/auth';
import { TooManyAttemptsError, UnauthorizedError } from '@app/common';
import { AuthService } from '../../auth/auth.service';
import { OidcService } from '../../auth/oidc.service';
import { FlashQuery, LocaleForm, LoginForm, LoginPageQuery, NoticesForm } from '../forms';
import {
  NoticesService,
  REJECTED_CHOICES,
  SUBMISSIONS_CHOICES,
  COMMENTS_CHOICES,
  VERIFIED_CHOICES,
} from '../../notices/notices.service';
import { type PageRequest, rememberLocale, requestLocale, safeNext } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/** Double-submit token of the sign-in form, which has no session (and so no session token) yet. */
const LOGIN_CSRF_COOKIE = 'login_csrf';

@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller()
export class SessionPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly auth: AuthService,
    private readonly notices: NoticesService,
    private readonly oidc: OidcService,
  ) {}

  /** Start page: each role lands where its daily work is. */
  @Get()
  home(@CurrentUser() p: Principal, @Res() res: Response) {
    res.redirect(303, p.role === 'unit' ? `/units/${p.unitId}` : '/overview');
  }

  @Public()
  @Get('login')
  loginPage(@Req() req: PageRequest, @Res() res: Response, @Query() q: LoginPageQuery) {
    if (req.principal) {
      res.redirect(303, safeNext(q.next));
      return;
    }
    this.showLogin(req, res, q.next, '');
  }

  /** Same throttle as the API (AuthService.login); a throttled attempt is shown on the form, 429. */
  @Public()
  @Post('login')
  async login(@Req() req: PageRequest, @Res() res: Response, @Body() form: LoginForm) {
    const expected = (req.cookies as Record<string, string> | undefined)?.[LOGIN_CSRF_COOKIE];
    if (!expected || form._csrf !== expected) {
      this.showLogin(req, res, form.next, 'web.login.expired', form.email, 403);
      return;
    }
    try {
      await this.auth.login({ email: form.email, password: form.password }, req, res);
    } catch (e) {
      if (e instanceof TooManyAttemptsError) {
        res.setHeader('Retry-After', String(e.retryAfterSeconds));
        const message = requestLocale(req) === 'en' ? e.en : e.zh;
        this.showLogin(req, res, form.next, '', form.email, 429, message);
        return;
      }
      if (!(e instanceof UnauthorizedError)) throw e;
      this.showLogin(req, res, form.next, 'web.login.failed', form.email, 401);
      return;
    }
    res.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
    res.redirect(303, safeNext(form.next));
  }

  @Post('logout')
  async logout(@CurrentUser() p: Principal, @Res() res: Response) {
    await this.auth.logout(p, res);
    res.redirect(303, '/login');
  }

  /** The language switch of signed-in pages: stored on the account, so every device follows it. */
  @Post('settings/locale')
  async setLocale(@CurrentUser() p: Principal, @Res() res: Response, @Body() form: LocaleForm) {
    await this.auth.updateMe(p, { locale: form.locale });
    rememberLocale(res, form.locale);
    const next = safeNext(form.next)
      .replace(/([?&])lang=[^&]*&?/, '$1')
      .replace(/[?&]$/, '');
    res.redirect(303, next || '/');
  }

  /** The caller's own event notice choices (the page of GET/PUT /api/v1/me/notices). */
  @Get('settings/notices')
  async noticesPage(
    @CurrentUser() p: Principal,
    @Query() q: FlashQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    this.views.page(req, res, 'notices.njk', {
      values: await this.notices.preferences(p.id),
      choices: {
        rejected: REJECTED_CHOICES,
        verified: VERIFIED_CHOICES,
        submissions: SUBMISSIONS_CHOICES,
        comments: COMMENTS_CHOICES,
      },
      flash: this.views.flash(req, q.done),
    });
  }

  @Post('settings/notices')
  async saveNotices(@CurrentUser() p: Principal, @Res() res: Response, @Body() form: NoticesForm) {
    const { rejected, verified, submissions, comments } = form;
    await this.notices.setPreferences(p.id, { rejected, verified, submissions, comments });
    res.redirect(303, '/settings/notices?done=saved');
  }

  private showLogin(
    req: PageRequest,
    res: Response,
    next: string | undefined,
    error: string,
    email = '',
    status = 200,
    errorText = '',
  ) {
    const token = randomBytes(18).toString('base64url');
    res.cookie(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/login' });
    const oidcLabel = this.oidc.label(this.views.context(req).t('web.login.oidcDefault'));
    const data = { loginCsrf: token, next: safeNext(next), error, errorText, email, oidcLabel };
    this.views.page(req, res, 'login.njk', data, status);
  }
}
