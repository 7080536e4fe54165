import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from './principal';

export const IS_PUBLIC = 'auth:public';
/** The roles a route is open to; set by `Allow(action)` (access.ts). */
export const ROLES = 'auth:roles';
export const IS_ANONYMOUS = 'auth:anonymous';

/** Route needs no sign-in. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Route needs no sign-in and never looks at the caller: no session lookup (no database round trip), so
 * `@CurrentUser()` is undefined there. For liveness probes and the like.
 */
export const Anonymous = () => applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(IS_ANONYMOUS, true));

/** The signed-in caller. */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
