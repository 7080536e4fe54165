import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AccountService } from './account.service';
import { AuthService } from './auth.service';
import { OidcService } from './oidc.service';
import { LoginThrottle } from './login-throttle.service';

@Module({
  controllers: [AuthController],
  providers: [AuthService, AccountService, OidcService, LoginThrottle],
  exports: [AuthService, AccountService, OidcService],
})
export class AuthHttpModule {}
