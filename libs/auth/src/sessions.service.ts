import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { Env } from '@app/common';
import { Session, User } from '@app/db';
import type { Principal } from './principal';
import { hashPassword, verifyPassword } from './passwords';

export const SESSION_COOKIE = 'sid';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Verifying against a throwaway hash when the e-mail is unknown keeps response time the same either way.
let dummyHash: Promise<string> | undefined;

@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
  ) {}

  /** Checks the password; on success creates a session and returns its token (shown once). */
  async login(email: string, password: string): Promise<{ token: string; user: User } | null> {
    const user = await this.em.findOne(
      User,
      { email: email.trim().toLowerCase(), active: true },
      { populate: ['passwordHash'] },
    );
    if (!user) {
      dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(await dummyHash, password);
      return null;
    }
    if (!(await verifyPassword(user.passwordHash, password))) return null;
    const token = randomBytes(32).toString('base64url');
    const session = this.em.create(Session, {
      tokenHash: sha256(token),
      user,
      csrfSecret: randomBytes(24).toString('base64url'),
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + this.env.SESSION_TTL_SECONDS * 1000),
    });
    user.lastLoginAt = new Date();
    this.em.persist(session);
    await this.em.flush();
    // Expired sessions are useless; clearing them at sign-in keeps the table small without a job.
    await this.em.nativeDelete(Session, { expiresAt: { $lt: new Date() } });
    return { token, user };
  }

  async resolve(token: string, via: Principal['via']): Promise<Principal | null> {
    const tokenHash = sha256(token);
    const session = await this.em.findOne(
      Session,
      { tokenHash, expiresAt: { $gt: new Date() } },
      { populate: ['user'] },
    );
    if (!session || !session.user.active) return null;
    const u = session.user;
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      unitId: u.unit?.id ?? null,
      provinces: u.provinces ?? [],
      locale: u.locale,
      via,
      csrfToken: session.csrfSecret,
      tokenHash,
    };
  }

  async logout(principal: Principal): Promise<void> {
    await this.em.nativeDelete(Session, { tokenHash: principal.tokenHash });
  }

  /** Ends every session of a user (password change, deactivation). */
  async endAll(userId: number): Promise<void> {
    await this.em.nativeDelete(Session, { user: userId });
  }
}
