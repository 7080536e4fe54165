import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@app/db';
import type { Principal } from './principal';

export const IS_PUBLIC = 'auth:public';
export const ROLES = 'auth:roles';
export const IS_ANONYMOUS = 'auth:anonymous';

/** Route needs no sign-in. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Route needs no sign-in and never looks at the caller: no session lookup (no database round trip), so
 * `@CurrentUser()` is undefined there. For liveness probes and the like.
 */
export const Anonymous = () => applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(IS_ANONYMOUS, true));

/** Route is open only to these roles (others get 403). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The signed-in caller. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
