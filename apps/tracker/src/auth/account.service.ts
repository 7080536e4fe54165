import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import type { Request } from 'express';
import { Env, InvalidInputError } from '@app/common';
import { PasswordReset, User } from '@app/db';
import {
  assertPasswordStrength,
  hashPassword,
  type Principal,
  SessionsService,
  verifyPassword,
} from '@app/auth';
import { OutboxService } from '@app/mail';
import { renderTemplateMail } from '@app/reporting/mail';
import { t } from '@app/reporting/i18n';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { clientAddress, LoginThrottle } from './login-throttle.service';
import type { ChangePasswordDto, ConfirmPasswordResetDto, RequestPasswordResetDto } from './auth.dto';

/** The outbox kind of the reset mail. */
export const PASSWORD_RESET_KIND = 'password_reset';
/** How long a reset link works. */
export const RESET_TTL_MS = 60 * 60_000;
/** Reset mails per account within RESET_TTL_MS: enough for a lost mail or two, too few to flood a mailbox. */
export const RESET_ACCOUNT_LIMIT = 3;
/** Reset mails asked for from one client address within RESET_TTL_MS, across accounts. */
export const RESET_ADDRESS_LIMIT = 20;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What the reset request answers, whatever the address: it never tells whether an account exists. */
export const RESET_REQUESTED = {
  message: 'If the address belongs to an account, a mail with a link to set a new password is on its way.',
  messageZh: '如果该地址属于本平台的账号，设置新密码的链接已发送到该邮箱。',
};

/** The signed-in user's own password, and "forgot password" by e-mail. */
@Injectable()
export class AccountService {
  private readonly logger = new Logger('Account');

  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * Checks the current password (guesses count against the sign-in throttle, so a left-open session does
   * not allow trying passwords), applies the password rule to the new one, and ends every other session
   * of the user; the caller's stays.
   */
  async changePassword(p: Principal, dto: ChangePasswordDto, req: Request): Promise<void> {
    const user = await this.em.findOneOrFail(User, p.id, { populate: ['passwordHash'] });
    const attempt = await this.throttle.begin(user.email, clientAddress(req));
    if (!(await verifyPassword(user.passwordHash, dto.currentPassword))) {
      // A wrong password is a failed sign-in, whatever the form: audited and throttled as one.
      this.audit.record(p, 'login_failed', 'user', p.id, {
        email: user.email,
        ip: clientAddress(req),
        via: 'password_change',
      });
      await this.em.flush();
      throw new InvalidInputError(
        'currentPassword',
        'wrongPassword',
        '当前密码不正确',
        'currentPassword is not your current password',
      );
    }
    await this.throttle.succeeded(attempt, user.email);
    assertPasswordStrength(dto.newPassword, user, 'newPassword');
    if (await verifyPassword(user.passwordHash, dto.newPassword)) {
      throw new InvalidInputError(
        'newPassword',
        'unchanged',
        '新密码不能与当前密码相同',
        'newPassword must differ from the current password',
      );
    }
    user.passwordHash = await hashPassword(dto.newPassword);
    this.audit.record(p, 'password_changed', 'user', p.id, { ip: clientAddress(req) });
    await this.em.flush();
    const ended = await this.sessions.endOthers(p.id, p.tokenHash);
    // Links mailed before the change would set a password the user no longer means to replace.
    await this.voidResets(user.id);
    this.logger.log(`user ${p.id} changed their password; ${ended} other session(s) ended`);
  }

  /**
   * Queues a reset mail when `email` belongs to a user who may sign in, within the limits per account and
   * per address; otherwise does nothing. The caller answers the same either way.
   */
  async requestReset(dto: RequestPasswordResetDto, req: Request): Promise<void> {
    const email = dto.email.trim().toLowerCase();
    const ip = clientAddress(req);
    const now = this.clock.now();
    const since = new Date(now.getTime() - RESET_TTL_MS);
    const user = await this.sessions.findSignInUser(email);
    if (!user) {
      this.audit.record(null, 'password_reset_requested', 'user', null, { email, ip, sent: false });
      await this.em.flush();
      return;
    }
    const [forAccount, fromAddress] = await Promise.all([
      this.em.count(PasswordReset, { user: user.id, createdAt: { $gte: since } }),
      this.em.count(PasswordReset, { ip, createdAt: { $gte: since } }),
    ]);
    if (forAccount >= RESET_ACCOUNT_LIMIT || fromAddress >= RESET_ADDRESS_LIMIT) {
      this.audit.record(null, 'password_reset_throttled', 'user', user.id, { email, ip });
      await this.em.flush();
      return;
    }
    const token = randomBytes(32).toString('base64url');
    const locale = user.locale;
    const resetUrl = `${this.env.PUBLIC_URL.replace(/\/+$/, '')}/reset-password?token=${token}`;
    const model = { locale, recipientName: user.name, resetUrl, minutes: RESET_TTL_MS / 60_000 };
    await this.em.transactional(async (tx) => {
      const reset = tx.create(PasswordReset, {
        tokenHash: sha256(token),
        user,
        ip,
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESET_TTL_MS),
      });
      tx.persist(reset);
      await tx.flush();
      await this.outbox.enqueue(
        [
          {
            idempotencyKey: `${PASSWORD_RESET_KIND}:${reset.id}`,
            kind: PASSWORD_RESET_KIND,
            period: now.toISOString().slice(0, 7),
            recipient: user.email,
            recipientName: user.name,
            locale,
            userId: user.id,
            rendered: {
              subject: t(locale, 'mail.passwordReset.subject'),
              ...renderTemplateMail('password-reset', model),
              attachments: [],
            },
          },
        ],
        tx,
      );
    });
    // The actor is unknown (anyone may ask); the account is the entity. Never the token.
    this.audit.record(null, 'password_reset_requested', 'user', user.id, { email, ip, sent: true });
    await this.em.flush();
  }

  /** Sets the new password of a valid link's user, ends all their sessions and uses the link up. */
  async confirmReset(dto: ConfirmPasswordResetDto, req: Request): Promise<void> {
    const now = this.clock.now();
    const reset = await this.em.findOne(
      PasswordReset,
      { tokenHash: sha256(dto.token) },
      { populate: ['user'] },
    );
    if (!reset || reset.usedAt || reset.expiresAt.getTime() <= now.getTime()) {
      const rule = !reset ? 'unknown' : reset.usedAt ? 'used' : 'expired';
      throw new InvalidInputError(
        'token',
        rule,
        rule === 'expired'
          ? '该重设密码链接已过期，请重新申请'
          : rule === 'used'
            ? '该重设密码链接已使用过，请重新申请'
            : '该重设密码链接无效，请重新申请',
        rule === 'expired'
          ? 'token has expired; ask for a new link'
          : rule === 'used'
            ? 'token was already used; ask for a new link'
            : 'token is not a valid reset link; ask for a new link',
      );
    }
    const user = reset.user;
    assertPasswordStrength(dto.newPassword, user, 'newPassword');
    // Marked used in the same statement that checks it is unused: of two parallel uses one wins.
    const won = await this.em.nativeUpdate(PasswordReset, { id: reset.id, usedAt: null }, { usedAt: now });
    if (!won) {
      throw new InvalidInputError(
        'token',
        'used',
        '该重设密码链接已使用过，请重新申请',
        'token was already used; ask for a new link',
      );
    }
    user.passwordHash = await hashPassword(dto.newPassword);
    this.audit.record({ id: user.id, email: user.email }, 'password_reset', 'user', user.id, {
      ip: clientAddress(req),
    });
    await this.em.flush();
    await this.sessions.endAll(user.id);
    await this.voidResets(user.id);
  }

  /** Every unused link of the user stops working. */
  private async voidResets(userId: number): Promise<void> {
    await this.em.nativeUpdate(PasswordReset, { user: userId, usedAt: null }, { usedAt: this.clock.now() });
  }
}
