import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type Principal, Public } from '@app/auth';
import { AccountService } from '../../auth/account.service';
import { type FieldErrors, submitForm } from '../form-validation';
import { FlashQuery, PageQueryBase, ResetPasswordPageQuery } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import {
  formCsrfOk,
  issueFormCsrf,
  toChangePasswordDto,
  toResetDto,
  toResetRequestDto,
} from '../password-forms';
import { ViewsService } from '../views.service';

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
    await submitForm(
      toChangePasswordDto(body, locale),
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
    if (!formCsrfOk(req, body)) {
      this.showForgot(req, res, { formError: this.views.context(req).t('web.login.expired') }, 403);
      return;
    }
    const locale = requestLocale(req);
    const { email, checked } = toResetRequestDto(body, locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        await this.account.requestReset(dto, req);
        this.showForgot(req, res, { sent: true, email: dto.email });
      },
      ({ errors, formError }) => this.showForgot(req, res, { errors, formError, email }, 400),
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
    const locale = requestLocale(req);
    const { token, checked } = toResetDto(body, locale);
    if (!formCsrfOk(req, body)) {
      const formError = this.views.context(req).t('web.login.expired');
      this.showReset(req, res, { token, formError }, 403);
      return;
    }
    await submitForm(
      checked,
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
    const csrf = issueFormCsrf(res, '/forgot-password');
    const view = { errors: {}, formError: '', email: '', sent: false, formCsrf: csrf, ...data };
    this.views.page(req, res, 'account/forgot-password.njk', view, status);
  }

  private showReset(req: PageRequest, res: Response, data: object, status = 200) {
    const csrf = issueFormCsrf(res, '/reset-password');
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
}
