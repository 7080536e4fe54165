import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import type { Request } from 'express';
import { TooManyAttemptsError } from '@app/common';
import { LoginFailure } from '@app/db';
import { Clock } from '../common/clock';

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures per account within the window; reached long before the address limit, so an office is not locked out. */
export const ACCOUNT_FAILURE_LIMIT = 10;
/** Failures from one client address within the window, across all accounts. */
export const ADDRESS_FAILURE_LIMIT = 100;

/** The client address Express derives (the socket's peer unless TRUST_PROXY names the proxy). */
export function clientAddress(req: Request): string {
  return (req.ip ?? req.socket?.remoteAddress ?? '').slice(0, 64);
}

/**
 * The sign-in throttle, shared by every instance through the login_failures table. Each attempt writes
 * its row before the password is checked and then counts the rows in the window: of any number of
 * parallel attempts, the one written last sees all of them, so no more than the limit get through.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /**
   * Records an attempt for `email` (trimmed, lower-cased) from `ip`; throws TooManyAttemptsError (and
   * forgets the attempt, so waiting helps) when the account or the address is over its limit. Returns the
   * attempt's id: the row stays as a failure unless `succeeded` removes it.
   */
  async begin(email: string, ip: string): Promise<number> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
    const id = await this.em.insert(LoginFailure, { email, ip, at: now });
    const waits = [];
    for (const [where, limit] of [
      [{ email }, ACCOUNT_FAILURE_LIMIT],
      [{ ip }, ADDRESS_FAILURE_LIMIT],
    ] as const) {
      const count = await this.em.count(LoginFailure, { ...where, at: { $gte: since } });
      if (count > limit) waits.push(await this.secondsUntilFree(where, since, now));
    }
    if (waits.length) {
      await this.em.nativeDelete(LoginFailure, { id });
      throw new TooManyAttemptsError(Math.max(...waits));
    }
    // Rows out of the window count for nothing: cleared as new attempts come in.
    await this.em.nativeDelete(LoginFailure, { at: { $lt: since } });
    return id as number;
  }

  /**
   * The right password: the attempt is no failure, and the account's earlier failures are cleared (the
   * person has shown they know it; kept, a few typos later in the day would lock them out). The address's
   * other failures stay counted.
   */
  async succeeded(id: number, email: string): Promise<void> {
    await this.em.nativeDelete(LoginFailure, { $or: [{ id }, { email }] });
  }

  /** Seconds until the oldest failure in the window leaves it (at least 1). */
  private async secondsUntilFree(where: FilterQuery<LoginFailure>, since: Date, now: Date) {
    const [oldest] = await this.em.find(
      LoginFailure,
      { $and: [where, { at: { $gte: since } }] },
      { orderBy: { at: 'asc' }, limit: 1, disableIdentityMap: true },
    );
    const freeAt = (oldest?.at.getTime() ?? now.getTime()) + LOGIN_WINDOW_MS;
    return Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000));
  }
}
