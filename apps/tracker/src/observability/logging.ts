import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type LoggerService, Optional } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { type DestinationStream, type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { Env } from '@app/common';
import { routeOf } from './http-route';

/** Where log lines go: stdout unless a test provides a stream to read them from. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** LOG_LEVEL uses Nest's level names; pino's equivalents. */
const PINO_LEVELS = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
} as const satisfies Record<Env['LOG_LEVEL'], pino.Level>;

/** Never written, should anything ever log a request's or response's headers. */
const REDACTED = ['authorization', 'cookie', 'set-cookie', 'x-csrf-token'].flatMap((h) =>
  ['req.headers', 'res.headers', 'headers'].map((at) => `${at}["${h}"]`),
);

/** A client's own request id is kept when it is a plain token; anything else is replaced. */
const SANE_REQUEST_ID = /^[\w.:@-]{1,128}$/;
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Nest's start-up chatter (one line per module and route) is debug, so the start-up output stays short. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** The logger of the request being handled, so every line logged while handling it carries its id. */
const requestLogger = new AsyncLocalStorage<Logger>();

/**
 * The service's one logger: JSON lines (pino) at LOG_LEVEL. `nest` routes Nest's own Logger through it,
 * `middleware()` adds the request id and the access log line.
 */
@Injectable()
export class AppLogger {
  readonly pino: Logger;
  readonly nest: LoggerService;

  constructor(env: Env, @Optional() @Inject(LOG_DESTINATION) destination?: DestinationStream | null) {
    this.pino = pino(
      {
        level: PINO_LEVELS[env.LOG_LEVEL],
        timestamp: pino.stdTimeFunctions.isoTime,
        redact: { paths: REDACTED, censor: '[redacted]' },
      },
      destination ?? standardStreams(),
    );
    this.nest = new NestPinoLogger(this.pino);
  }

  /**
   * Express middleware: takes X-Request-Id from the request when sane (else a new UUID), echoes it in the
   * response, and writes one access line per request (method, route pattern, URL path, status, duration).
   * Headers and bodies are never logged (no passwords, cookies or tokens).
   */
  middleware(): (req: Request, res: Response, next: NextFunction) => void {
    const http = pinoHttp({
      logger: this.pino,
      quietReqLogger: true,
      quietResLogger: true,
      genReqId: (req, res) => {
        const sent = req.headers['x-request-id'];
        const id = typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      // 503 is load or a failed readiness check (warned about where it is answered), not a fault.
      customLogLevel: (_req, res, err) =>
        res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : 'info',
      customSuccessObject: (req, res, val: { responseTime: number }) => access(req as Request, res, val),
      customErrorObject: (req, res, _err, val: { responseTime: number }) => access(req as Request, res, val),
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
    });
    return (req, res, next) => http(req, res, () => requestLogger.run(req.log, next));
  }
}

/**
 * stdout, errors and fatal lines on stderr (as Nest's console logger did; process supervisors keep them
 * apart). Synchronous: lines keep their order with other output and are not lost when the process exits.
 */
function standardStreams(): DestinationStream {
  return pino.multistream(
    [
      { level: 'trace', stream: pino.destination({ dest: 1, sync: true }) },
      { level: 'error', stream: pino.destination({ dest: 2, sync: true }) },
    ],
    { dedupe: true },
  );
}

function access(req: Request, res: { statusCode: number }, val: { responseTime: number }) {
  return {
    method: req.method,
    route: routeOf(req),
    // The path only: a query string may carry what does not belong in logs.
    path: (req.originalUrl ?? req.url).split('?')[0],
    status: res.statusCode,
    durationMs: val.responseTime,
  };
}

type NestLevel = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** Nest's LoggerService on pino; inside a request the line carries the request's id. */
class NestPinoLogger implements LoggerService {
  constructor(private readonly base: Logger) {}

  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  log(message: unknown, ...params: unknown[]) {
    this.write('log', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('verbose', message, params);
  }

  /** Nest calls `(message, context)`, errors `(message, stack, context)`. */
  private write(level: NestLevel, message: unknown, params: unknown[]) {
    const rest = [...params];
    const context = rest.length && typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    let pinoLevel: pino.Level = PINO_LEVELS[level];
    if (level === 'log' && context && BOOT_CONTEXTS.has(context)) pinoLevel = 'debug';
    const log = requestLogger.getStore() ?? this.base;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) fields.err = message;
    else if (typeof rest[0] === 'string' && level === 'error') fields.stack = rest[0];
    else if (rest.length) fields.details = rest;
    const text =
      message instanceof Error ? message.message : typeof message === 'string' ? message : undefined;
    if (text === undefined) fields.value = message;
    log[pinoLevel](fields, text);
  }
}
