import type { ArgumentsHost } from '@nestjs/common';
import { DeadlockException, DriverException } from '@mikro-orm/core';
import { knex } from '@mikro-orm/knex';
import { isPoolTimeout, NotFoundError } from '@app/common';
import { PageErrorFilter } from '../web/page-error.filter';
import type { ViewsService } from '../web/views.service';
import { ErrorFilter } from './error.filter';

/** knex's own error for "every connection busy for acquireTimeoutMillis". */
const poolTimeout = () =>
  new knex.KnexTimeoutError(
    'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
  );

function fakeHttp(req: Record<string, unknown> = {}) {
  const headers: Record<string, string> = {};
  const res = {
    headersSent: false,
    statusCode: 200,
    body: undefined as unknown,
    setHeader: (k: string, v: string) => (headers[k.toLowerCase()] = v),
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(b: unknown) {
      this.body = b;
      return this;
    },
    redirect: jest.fn(),
  };
  const request = {
    method: 'GET',
    path: '/x',
    originalUrl: '/x',
    query: {},
    cookies: {},
    get: () => undefined,
    ...req,
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  return { host, res, headers };
}

describe('a database pool timeout is a 503 with Retry-After, never a 500', () => {
  it('recognises knex’s timeout, also wrapped by MikroORM or as a cause', () => {
    expect(isPoolTimeout(poolTimeout())).toBe(true);
    expect(isPoolTimeout(new DriverException(poolTimeout()))).toBe(true);
    expect(isPoolTimeout(new Error('query failed', { cause: poolTimeout() }))).toBe(true);
    expect(isPoolTimeout(new Error('something else'))).toBe(false);
    expect(isPoolTimeout('Timeout acquiring a connection')).toBe(false);
    expect(isPoolTimeout(new NotFoundError('unit 1'))).toBe(false);
  });

  it.each([
    ['KnexTimeoutError', poolTimeout()],
    ['DriverException', new DriverException(poolTimeout())],
    // PostgreSQL broke a deadlock by aborting this transaction: nothing was written, a retry succeeds.
    [
      'DeadlockException',
      new DeadlockException(Object.assign(new Error('deadlock detected'), { code: '40P01' })),
    ],
    ['serialization failure', Object.assign(new Error('could not serialize access'), { code: '40001' })],
  ])('API: %s → 503, Retry-After, bilingual message', (_name, error) => {
    const filter = new ErrorFilter();
    const { host, res, headers } = fakeHttp();
    const warn = jest.spyOn((filter as unknown as { logger: { warn: () => void } }).logger, 'warn');
    warn.mockImplementation(() => undefined);
    filter.catch(error, host);
    expect(res.statusCode).toBe(503);
    expect(headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(res.body).toEqual({
      statusCode: 503,
      error: 'ServiceBusy',
      message: expect.stringContaining('busy'),
      messageZh: expect.stringContaining('服务繁忙'),
    });
  });

  it('pages: an error page with status 503 and Retry-After', () => {
    const page = jest.fn();
    const filter = new PageErrorFilter({ page } as unknown as ViewsService);
    jest
      .spyOn((filter as unknown as { logger: { warn: () => void } }).logger, 'warn')
      .mockImplementation(() => undefined);
    const { host, headers } = fakeHttp({ principal: undefined });
    filter.catch(new DriverException(poolTimeout()), host);
    expect(headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(page).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      'error.njk',
      { status: 503, message: expect.stringContaining('服务繁忙') },
      503,
    );
  });
});
