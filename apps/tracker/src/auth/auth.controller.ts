import { Body, Controller, Get, HttpCode, Patch, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, type Principal, Public } from '@app/auth';
import { AuthService } from './auth.service';
import {
  ChangePasswordDto,
  ConfirmPasswordResetDto,
  LoginDto,
  RequestPasswordResetDto,
  UpdateMeDto,
} from './auth.dto';
import { AccountService, RESET_REQUESTED } from './account.service';
import { PasswordResetRequestedDto } from './auth-view.dto';
import { LoginResultDto, MeDto } from './auth-view.dto';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly account: AccountService,
  ) {}

  /**
   * Returns a bearer token for scripts and sets the session cookie for browsers. Throttled per account
   * and per client address (LoginThrottle): 429 with Retry-After.
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResultDto })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password, or the account is inactive' })
  @ApiTooManyRequestsResponse({
    description: 'Too many sign-in attempts; wait for the seconds in Retry-After',
  })
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.auth.login(dto, req, res);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Signed out; the session cookie is cleared' })
  async logout(@CurrentUser() p: Principal, @Res({ passthrough: true }) res: Response) {
    await this.auth.logout(p, res);
  }

  @Get('me')
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() p: Principal) {
    return AuthService.view(p);
  }

  @Patch('me')
  @ApiOkResponse({ type: MeDto })
  updateMe(@CurrentUser() p: Principal, @Body() dto: UpdateMeDto) {
    return this.auth.updateMe(p, dto);
  }

  /**
   * Changes the caller's password: `currentPassword` must be right (400 naming it otherwise; guesses
   * count against the sign-in throttle), `newPassword` follows the password rule. Every other session
   * of the user ends; this one stays.
   */
  @Post('password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Changed; the other sessions of the user are ended' })
  @ApiBadRequestResponse({ description: 'Wrong currentPassword, or newPassword breaks the password rule' })
  async changePassword(@CurrentUser() p: Principal, @Body() dto: ChangePasswordDto, @Req() req: Request) {
    await this.account.changePassword(p, dto, req);
  }

  /**
   * Asks for a reset link by e-mail. Always 202 with the same message: it never tells whether the
   * address has an account. A mail goes out only for an active account, at most 3 per account and 20
   * per client address an hour.
   */
  @Public()
  @Post('password-reset')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: PasswordResetRequestedDto })
  async requestReset(@Body() dto: RequestPasswordResetDto, @Req() req: Request) {
    await this.account.requestReset(dto, req);
    return RESET_REQUESTED;
  }

  /**
   * Sets a new password with the token of a reset mail (valid one hour, once). Ends every session of
   * the user. 400 naming `token` (rule unknown, used or expired) or `newPassword`.
   */
  @Public()
  @Post('password-reset/confirm')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password set; every session of the user is ended' })
  @ApiBadRequestResponse({
    description: 'Unknown, used or expired token, or a newPassword breaking the rule',
  })
  async confirmReset(@Body() dto: ConfirmPasswordResetDto, @Req() req: Request) {
    await this.account.confirmReset(dto, req);
  }
}
