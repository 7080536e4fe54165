import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@app/db';
import { ForbiddenError, UnauthorizedError } from '@app/common';
import { IS_ANONYMOUS, IS_PUBLIC, ROLES } from './decorators';
import { SESSION_COOKIE, SessionsService } from './sessions.service';
import type { Principal } from './principal';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/**
 * Global guard: resolves the caller from a bearer token or the session cookie, enforces the roles of `Allow(action)`, and
 * requires the session's CSRF token on state-changing requests made with the cookie.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_ANONYMOUS, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    req.principal = (await this.identify(req)) ?? undefined;

    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const p = req.principal;
    if (!p) throw new UnauthorizedError();
    if (p.via === 'cookie' && !SAFE_METHODS.has(req.method)) {
      const sent = req.get(CSRF_HEADER) ?? (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      if (sent !== p.csrfToken) {
        throw new ForbiddenError(
          'CSRF 校验失败，请刷新页面后重试',
          'CSRF token missing or invalid; reload the page',
        );
      }
    }
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES, targets);
    if (roles && !roles.includes(p.role)) {
      throw new ForbiddenError('无权执行此操作', 'Your role may not do this');
    }
    return true;
  }

  private async identify(req: Request): Promise<Principal | null> {
    const auth = req.get('authorization');
    if (auth?.startsWith('Bearer ')) return this.sessions.resolve(auth.slice(7).trim(), 'bearer');
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    return cookie ? this.sessions.resolve(cookie, 'cookie') : null;
  }
}
