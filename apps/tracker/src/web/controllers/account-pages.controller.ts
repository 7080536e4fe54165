import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type Principal, Public } from '@app/auth';
import { AccountService } from '../../auth/account.service';
import { ChangePasswordDto, ConfirmPasswordResetDto, RequestPasswordResetDto } from '../../auth/auth.dto';
import { type FieldErrors, submitForm, text, validateForm } from '../form-validation';
import { FlashQuery, PageQueryBase, ResetPasswordPageQuery } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/**
 * Double-submit token of the signed-out forms (forgot password, reset password), which have no session
 * token to carry: the form's hidden field must match this cookie, set on the form's own path.
 */
const FORM_CSRF_COOKIE = 'form_csrf';

/** The caller's own password, and "forgot password" by e-mail (the pages of AccountService). */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller()
export class AccountPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly account: AccountService,
  ) {}

  @Get('settings/password')
  passwordPage(@Query() q: FlashQuery, @Req() req: PageRequest, @Res() res: Response) {
    this.views.page(req, res, 'account/password.njk', {
      errors: {},
      formError: '',
      flash: this.views.flash(req, q.done),
    });
  }

  @Post('settings/password')
  async changePassword(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    // Passwords are taken as typed (not trimmed) and never sent back into the form.
    const values = { currentPassword: raw(body, 'currentPassword'), newPassword: raw(body, 'newPassword') };
    await submitForm(
      validateForm(ChangePasswordDto, values, locale),
      locale,
      async (dto) => {
        await this.account.changePassword(p, dto, req);
        res.redirect(303, '/settings/password?done=passwordChanged');
      },
      ({ errors, formError }) =>
        this.views.page(req, res, 'account/password.njk', { errors, formError }, 400),
    );
  }

  @Public()
  @Get('forgot-password')
  forgotPage(@Query() _q: PageQueryBase, @Req() req: PageRequest, @Res() res: Response) {
    this.showForgot(req, res, {});
  }

  /** Always the same answer for a well-formed address (see AccountService.requestReset). */
  @Public()
  @Post('forgot-password')
  async forgot(@Body() body: Record<string, unknown>, @Req() req: PageRequest, @Res() res: Response) {
    if (!this.csrfOk(req, body)) {
      this.showForgot(req, res, { formError: this.views.context(req).t('web.login.expired') }, 403);
      return;
    }
    const locale = requestLocale(req);
    const values = { email: text(body, 'email') };
    await submitForm(
      validateForm(RequestPasswordResetDto, values, locale),
      locale,
      async (dto) => {
        await this.account.requestReset(dto, req);
        this.showForgot(req, res, { sent: true, email: dto.email });
      },
      ({ errors, formError }) => this.showForgot(req, res, { errors, formError, email: values.email }, 400),
    );
  }

  @Public()
  @Get('reset-password')
  resetPage(@Query() q: ResetPasswordPageQuery, @Req() req: PageRequest, @Res() res: Response) {
    this.showReset(req, res, { token: q.token ?? '' });
  }

  @Public()
  @Post('reset-password')
  async reset(@Body() body: Record<string, unknown>, @Req() req: PageRequest, @Res() res: Response) {
    const token = raw(body, 'token') ?? '';
    if (!this.csrfOk(req, body)) {
      const formError = this.views.context(req).t('web.login.expired');
      this.showReset(req, res, { token, formError }, 403);
      return;
    }
    const locale = requestLocale(req);
    const values = { token: raw(body, 'token'), newPassword: raw(body, 'newPassword') };
    await submitForm(
      validateForm(ConfirmPasswordResetDto, values, locale),
      locale,
      async (dto) => {
        await this.account.confirmReset(dto, req);
        this.showReset(req, res, { done: true });
      },
      ({ errors, formError }) =>
        // A bad link shows no form: the way on is to ask for a new one.
        this.showReset(req, res, { token: errors.token ? '' : token, errors, formError }, 400),
    );
  }

  private showForgot(req: PageRequest, res: Response, data: object, status = 200) {
    const csrf = this.formCsrf(res, '/forgot-password');
    const view = { errors: {}, formError: '', email: '', sent: false, formCsrf: csrf, ...data };
    this.views.page(req, res, 'account/forgot-password.njk', view, status);
  }

  private showReset(req: PageRequest, res: Response, data: object, status = 200) {
    const csrf = this.formCsrf(res, '/reset-password');
    const view = {
      errors: {} as FieldErrors,
      formError: '',
      token: '',
      done: false,
      formCsrf: csrf,
      ...data,
    };
    this.views.page(req, res, 'account/reset-password.njk', view, status);
  }

  private formCsrf(res: Response, path: string): string {
    const token = randomBytes(18).toString('base64url');
    res.cookie(FORM_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', path });
    return token;
  }

  private csrfOk(req: PageRequest, body: Record<string, unknown>): boolean {
    const expected = (req.cookies as Record<string, string> | undefined)?.[FORM_CSRF_COOKIE];
    return !!expected && body._csrf === expected;
  }
}

/** A field as sent (passwords keep their spaces), or undefined when absent or not text. */
function raw(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}
