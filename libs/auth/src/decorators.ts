import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@app/db';
import type { Principal } from './principal';

export const IS_PUBLIC = 'auth:public';
export const ROLES = 'auth:roles';

/** Route needs no sign-in. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Route is open only to these roles (others get 403). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The signed-in caller. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
