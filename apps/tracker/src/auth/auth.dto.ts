import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class UpdateMeDto {
  @IsIn(['zh', 'en'])
  locale: 'zh' | 'en';
}

export class ChangePasswordDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  currentPassword: string;

  /** The password rule applies (length, strength; see README). */
  @IsString()
  @MaxLength(200)
  newPassword: string;
}

export class RequestPasswordResetDto {
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class ConfirmPasswordResetDto {
  /** The token of the mailed link (`/reset-password?token=…`). */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  token: string;

  @IsString()
  @MaxLength(200)
  newPassword: string;
}
