/**
 * Domain errors: thrown by services, mapped to HTTP by the global filter. Messages are given in both
 * languages so API clients, pages and the CLI can show the user's own.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(
    readonly zh: string,
    readonly en: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(en);
  }
}

/** The record does not exist or is outside the caller's scope (both answer 404 so scope does not leak). */
export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(what: string) {
    super(`未找到：${what}`, `Not found: ${what}`);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
}

export class ConflictError extends DomainError {
  readonly status = 409;
}

/** Bad input that only the service can judge (e.g. a date outside the unit's cycle). */
export class InvalidInputError extends DomainError {
  readonly status = 400;
  constructor(
    readonly field: string,
    readonly rule: string,
    zh: string,
    en: string,
  ) {
    super(zh, en, { field, rule });
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  constructor() {
    super('请先登录', 'Sign-in required');
  }
}

/** Seconds a client is asked to wait (Retry-After) when the service is busy. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * No database connection became free in time (DATABASE_POOL_TIMEOUT_MS): a burst of load, not a fault.
 * Answered 503 with a Retry-After header, never a 500.
 */
export class ServiceBusyError extends DomainError {
  readonly status = 503;
  constructor(readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS) {
    super(
      `服务繁忙，请 ${retryAfterSeconds} 秒后重试`,
      `The service is busy; please try again in ${retryAfterSeconds} seconds`,
    );
  }
}

/**
 * True when `e` is knex's pool timeout ("Knex: Timeout acquiring a connection", a KnexTimeoutError), also
 * when MikroORM wrapped it in a DriverException (which keeps the message, not the name) or it is the
 * `cause` of another error.
 */
export function isPoolTimeout(e: unknown): boolean {
  let x: unknown = e;
  for (let depth = 0; x instanceof Error && depth < 5; depth++) {
    if (x.name === 'KnexTimeoutError' || x.message.includes('Timeout acquiring a connection')) return true;
    x = x.cause;
  }
  return false;
}

/**
 * Too many failed sign-ins for an account or from an address within the throttle window: 429 with a
 * Retry-After header (seconds until the oldest counted failure leaves the window).
 */
export class TooManyAttemptsError extends DomainError {
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.ceil(retryAfterSeconds / 60);
    super(
      `登录失败次数过多，请 ${minutes} 分钟后再试`,
      `Too many failed sign-ins; please try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    );
  }
}

/** Seconds a refusal asks the client to wait (Retry-After), when it has them. */
export function retryAfterOf(e: unknown): number | undefined {
  return e instanceof ServiceBusyError || e instanceof TooManyAttemptsError ? e.retryAfterSeconds : undefined;
}
