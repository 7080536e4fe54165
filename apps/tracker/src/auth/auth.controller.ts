import { Body, Controller, Get, HttpCode, Patch, Post, Req, Res } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, type Principal, Public } from '@app/auth';
import { AuthService } from './auth.service';
import { LoginDto, UpdateMeDto } from './auth.dto';
import { LoginResultDto, MeDto } from './auth-view.dto';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

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
}
