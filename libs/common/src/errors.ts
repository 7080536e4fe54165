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
