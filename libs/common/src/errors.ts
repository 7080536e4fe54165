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
  constructor(
    /** For the log line: why this instance is busy. */
    readonly reason = 'no database connection free in time',
    readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS,
  ) {
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
  return anyCause(
    e,
    (x) => x.name === 'KnexTimeoutError' || x.message.includes('Timeout acquiring a connection'),
  );
}

/** True when `e` or one of its first few causes (MikroORM and knex wrap driver errors) passes `test`. */
function anyCause(e: unknown, test: (x: Error) => boolean): boolean {
  let x: unknown = e;
  for (let depth = 0; x instanceof Error && depth < 5; depth++) {
    if (test(x)) return true;
    x = x.cause;
  }
  return false;
}

/**
 * True when PostgreSQL aborted the transaction to break a deadlock (40P01) or a serialization conflict
 * (40001), e.g. two writers meeting at the audit chain's lock and a row the other holds: nothing of it was
 * written, and the same request again succeeds. Answered like a busy pool (503, Retry-After).
 */
export function isTransientConflict(e: unknown): boolean {
  return anyCause(e, (x) => {
    const code = (x as { code?: unknown }).code;
    return x.name === 'DeadlockException' || code === '40P01' || code === '40001';
  });
}

/** The busy answer (503, Retry-After) for load that is not a fault, or null: see the two checks above. */
export function busyErrorOf(e: unknown): ServiceBusyError | null {
  if (e instanceof ServiceBusyError) return e;
  if (isPoolTimeout(e)) return new ServiceBusyError();
  if (isTransientConflict(e))
    return new ServiceBusyError('transaction aborted by the database (deadlock or serialization conflict)');
  return null;
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
