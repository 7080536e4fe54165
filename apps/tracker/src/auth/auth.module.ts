import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AccountService } from './account.service';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle.service';

@Module({
  controllers: [AuthController],
  providers: [AuthService, AccountService, LoginThrottle],
  exports: [AuthService, AccountService],
})
export class AuthHttpModule {}
