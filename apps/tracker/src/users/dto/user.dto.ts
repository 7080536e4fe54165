import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PROVINCE_CODES } from '@app/compliance';
import { PASSWORD_MIN_LENGTH } from '@app/auth';
import { PageQuery } from '../../common/pagination';
import { IsOmittable } from '../../common/validators';

export const ROLES = ['admin', 'supervisor', 'unit'] as const;

export class CreateUserDto {
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(200)
  password: string;

  @IsIn(ROLES)
  role: (typeof ROLES)[number];

  /** Required for role "unit". */
  @IsOptional()
  @IsInt()
  @Min(1)
  unitId?: number;

  /** Required for role "supervisor": province codes in scope. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(40)
  @IsIn(PROVINCE_CODES, { each: true })
  provinces?: string[];

  @IsOptional()
  @IsIn(['zh', 'en'])
  locale?: 'zh' | 'en';
}

export class UpdateUserDto {
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @IsOmittable()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(200)
  password?: string;

  @IsOmittable()
  @IsIn(ROLES)
  role?: (typeof ROLES)[number];

  @IsOptional()
  @IsInt()
  @Min(1)
  unitId?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(40)
  @IsIn(PROVINCE_CODES, { each: true })
  provinces?: string[];

  @IsOmittable()
  @IsIn(['zh', 'en'])
  locale?: 'zh' | 'en';

  @IsOmittable()
  @IsBoolean()
  active?: boolean;
}

export class UserQuery extends PageQuery {
  @IsOptional()
  @IsIn(ROLES)
  role?: (typeof ROLES)[number];

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  unitId?: number;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
