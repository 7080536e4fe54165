import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import type { Request, Response } from 'express';
import { Env, UnauthorizedError } from '@app/common';
import { User } from '@app/db';
import { type Principal, SESSION_COOKIE, SessionsService } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { LoginDto, UpdateMeDto } from './auth.dto';
import { clientAddress, LoginThrottle } from './login-throttle.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottle,
  ) {}

  static view(p: Principal) {
    const { tokenHash: _t, via: _v, ...rest } = p;
    return rest;
  }

  cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.env.PUBLIC_URL.startsWith('https://'),
      path: '/',
      maxAge: this.env.SESSION_TTL_SECONDS * 1000,
    };
  }

  /** API and sign-in page alike: throttled (429, password not checked), then checked. */
  async login(dto: LoginDto, req: Request, res: Response) {
    const email = dto.email.trim().toLowerCase();
    const ip = clientAddress(req);
    const attempt = await this.throttle.begin(email, ip);
    const result = await this.sessions.login(email, dto.password);
    if (!result) {
      this.audit.record(null, 'login_failed', 'user', null, { email, ip });
      await this.em.flush();
      throw new UnauthorizedError();
    }
    await this.throttle.succeeded(attempt, email);
    const { token, user } = result;
    this.audit.record({ id: user.id, email: user.email }, 'login', 'user', user.id, { ip });
    await this.em.flush();
    res.cookie(SESSION_COOKIE, token, this.cookieOptions());
    const principal = (await this.sessions.resolve(token, 'bearer'))!;
    return { token, ...AuthService.view(principal) };
  }

  /**
   * Single sign-on: the identity provider proved `email`; a user of that address who may sign in gets
   * the same session and cookie as a password sign-in. Nobody is created: an unknown address, a
   * disabled user or one of a deleted unit is refused (and audited).
   */
  async oidcSignIn(email: string, req: Request, res: Response): Promise<'ok' | 'unknown' | 'inactive'> {
    const ip = clientAddress(req);
    const user = await this.sessions.findSignInUser(email);
    if (!user) {
      const exists = await this.em.count(User, { email });
      const reason = exists ? 'inactive' : 'unknown';
      this.audit.record(null, 'oidc_refused', 'user', null, { email, ip, reason });
      await this.em.flush();
      return reason;
    }
    const token = await this.sessions.open(user);
    this.audit.record({ id: user.id, email: user.email }, 'login', 'user', user.id, { ip, via: 'oidc' });
    await this.em.flush();
    res.cookie(SESSION_COOKIE, token, this.cookieOptions());
    return 'ok';
  }

  /** Writes what was recorded (the audit entries of a page that answers without a service call). */
  async flush(): Promise<void> {
    await this.em.flush();
  }

  async logout(p: Principal, res: Response) {
    await this.sessions.logout(p);
    this.audit.record(p, 'logout', 'user', p.id);
    await this.em.flush();
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  async updateMe(p: Principal, dto: UpdateMeDto) {
    const user = await this.em.findOneOrFail(User, p.id);
    this.audit.record(p, 'update', 'user', p.id, { locale: [user.locale, dto.locale] });
    user.locale = dto.locale;
    await this.em.flush();
    return { ...AuthService.view(p), locale: dto.locale };
  }
}
