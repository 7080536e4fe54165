import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { BadRequestException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Env, EnvError, trustProxySetting } from '@app/common';
import { passwordProblem } from '@app/auth';
import { chainExistingAuditLog, User } from '@app/db';
import { ComplianceCounts } from './compliance/compliance-counts.service';
import { IntegrityService } from './integrity/integrity.service';
import { UsersService } from './users/users.service';
import { admission } from './common/admission';
import { ErrorFilter } from './common/error.filter';
import { setupApiDocs } from './common/openapi';
import { AppLogger } from './observability/logging';
import { Metrics } from './observability/metrics.service';
import { validationPipe } from './common/validation';

/** What start-up has to tell the operator once it is complete (see firstAdminNotice). */
export interface StartupResult {
  /** Set when the first administrator was created with a generated password. */
  firstAdmin?: { email: string; password: string };
}

/**
 * Everything main.ts does before listening, shared with the e2e tests so they test the real thing.
 * Throws EnvError for a weak ADMIN_PASSWORD on an empty database.
 */
export async function configureApp(app: NestExpressApplication): Promise<StartupResult> {
  const env = app.get(Env);
  // First, so every line (Nest's too) is JSON and every request is logged, counted and has an id.
  const logger = app.get(AppLogger);
  app.useLogger(logger.nest);
  // What Nest logged while main.ts held its lines back (bufferLogs), then every line as it happens.
  app.flushLogs();
  app.use(logger.middleware());
  app.use(app.get(Metrics).middleware());
  app.use(admission(env.MAX_ACTIVE_REQUESTS, env.MAX_QUEUED_REQUESTS));
  app.set('trust proxy', trustProxySetting(env.TRUST_PROXY));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'frame-src': ["'self'"],
          'object-src': ["'self'"],
          'upgrade-insecure-requests': null,
        },
      },
      // The app's own pages learn where a form came from (to return there after a new sign-in);
      // other sites learn nothing.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(cookieParser());
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  app.use(inputGuard);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();

  await setupApiDocs(app);

  await migrate(app);
  return { firstAdmin: await ensureFirstAdmin(app, env) };
}

/** Deeper JSON than any form or DTO takes; validating it recursively would exhaust the stack. */
const MAX_BODY_DEPTH = 32;
/**
 * More object keys (all levels together) than any form or DTO takes: validating tens of thousands of
 * unknown keys blocks the process for seconds and answers with megabytes of errors. (Long arrays are
 * left to the DTOs' own size rules, which name the field.)
 */
const MAX_BODY_KEYS = 2000;

/**
 * Checks every request's input before any handler sees it. Every handler gets a body: `{}` when none was
 * sent or its content type has no parser (text/plain, multipart outside uploads), so the rules name the
 * missing fields. Refused with a 400 naming the field: JSON nested deeper than MAX_BODY_DEPTH (validating
 * it would overflow the stack) or holding more than MAX_BODY_KEYS keys, and text PostgreSQL cannot
 * take: a NUL character, or half of a UTF-16 surrogate pair (not Unicode; jsonb refuses it in the audit
 * log).
 */
function inputGuard(req: Request, _res: Response, next: NextFunction): void {
  if (req.body === undefined) req.body = {};
  const problem = inspect(req.query, 'query') ?? inspect(req.body, 'body');
  if (!problem) return next();
  const { field, rule } = problem;
  const [message, messageZh] = {
    maxDepth: [
      `${field}: nested deeper than ${MAX_BODY_DEPTH} levels`,
      `${field}：嵌套超过 ${MAX_BODY_DEPTH} 层`,
    ],
    maxKeys: [`${field}: more than ${MAX_BODY_KEYS} keys`, `${field}：键超过 ${MAX_BODY_KEYS} 个`],
    noNul: [`${field}: must not contain NUL characters`, `${field}：不能包含空字符（NUL）`],
    wellFormed: [`${field}: must be valid Unicode text`, `${field}：包含无效的 Unicode 字符`],
  }[rule];
  next(
    new BadRequestException({
      statusCode: 400,
      error: 'ValidationError',
      message,
      messageZh,
      errors: [{ field, rule, message }],
    }),
  );
}

type InputRule = 'maxDepth' | 'maxKeys' | 'noNul' | 'wellFormed';

/** Half of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textRule(text: string): InputRule | null {
  if (text.includes('\u0000')) return 'noNul';
  return LONE_SURROGATE.test(text) ? 'wellFormed' : null;
}

/** The first field nested too deeply or holding text PostgreSQL cannot take, walked without recursion. */
function inspect(value: unknown, root: string): { field: string; rule: InputRule } | null {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  let keyCount = 0;
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    const field = path || root;
    if (typeof v === 'string') {
      const rule = textRule(v);
      if (rule) return { field, rule };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_BODY_DEPTH) return { field: root, rule: 'maxDepth' };
    const keys = Object.keys(v);
    if (!Array.isArray(v) && (keyCount += keys.length) > MAX_BODY_KEYS) {
      return { field: root, rule: 'maxKeys' };
    }
    for (const k of keys) {
      const child = (v as Record<string, unknown>)[k];
      const rule = textRule(k);
      if (rule) return { field, rule };
      stack.push([child, path ? `${path}.${k}` : k, depth + 1]);
    }
  }
  return null;
}

/**
 * Applies pending migrations, chains audit entries that have no hash yet (see audit-chain.ts), then completes the compliance read model: units with counted activities
 * but no stored counts (an installation upgraded to the read model, or a fill stopped part-way: each
 * unit is refreshed in its own transaction, so the next start picks up where it stopped); and the claim
 * fingerprints of an installation upgraded to duplicate detection.
 */
export async function migrate(
  app: Pick<INestApplication, 'get'>,
  { fillReadModel = true }: { fillReadModel?: boolean } = {},
): Promise<void> {
  const orm = app.get(MikroORM);
  const applied = await orm.getMigrator().up();
  if (applied.length) new Logger('Migrations').log(`Applied ${applied.map((m) => m.name).join(', ')}`);
  const chained = await chainExistingAuditLog(orm.em.fork());
  if (chained) new Logger('AuditChain').log(`Chained ${chained} audit entries written before the hash chain`);
  if (!fillReadModel) return;
  const counts = app.get(ComplianceCounts);
  const missing = await counts.uncountedUnits();
  if (missing.length) {
    const logger = new Logger('ComplianceCounts');
    logger.log(`${missing.length} units have activities but no stored counts: recomputing them`);
    const { units } = await counts.rebuild(undefined, missing);
    logger.log(`Recomputed the counts of ${units} units`);
  }
  const integrity = app.get(IntegrityService);
  if (await integrity.needsBackfill()) {
    const logger = new Logger('Integrity');
    logger.log('Evidence exists but no claim fingerprints: computing them and the duplicate claims');
    const { activities, matches } = await integrity.rebuild();
    logger.log(`Fingerprinted ${activities} activities; ${matches} duplicate claims`);
  }
}

const FIRST_ADMIN_NAME = '管理员';

/**
 * On an empty database, creates the first administrator with ADMIN_PASSWORD (which must pass the
 * password rule, else start-up stops naming it) or a generated password, returned to be shown once.
 */
async function ensureFirstAdmin(
  app: INestApplication,
  env: Env,
): Promise<StartupResult['firstAdmin'] | undefined> {
  const orm = app.get(MikroORM);
  if (await orm.em.fork().count(User, {})) return undefined;
  if (env.ADMIN_PASSWORD !== undefined) {
    const owner = { email: env.ADMIN_EMAIL, name: FIRST_ADMIN_NAME };
    const problem = passwordProblem(env.ADMIN_PASSWORD, owner, 'ADMIN_PASSWORD');
    if (problem) {
      throw new EnvError(
        `Invalid configuration:\n  ${problem.en} (the first administrator's password, read on an empty database)`,
      );
    }
  }
  const password = env.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
  await RequestContext.create(orm.em, () =>
    app
      .get(UsersService)
      .create(null, { email: env.ADMIN_EMAIL, name: FIRST_ADMIN_NAME, password, role: 'admin' }),
  );
  new Logger('Bootstrap').log(`Created the first administrator: ${env.ADMIN_EMAIL}`);
  return env.ADMIN_PASSWORD === undefined ? { email: env.ADMIN_EMAIL, password } : undefined;
}

/**
 * The generated password of the first administrator, boxed, for stdout only: main.ts prints it once,
 * after start-up is complete (below the route logs), and it is never logged.
 */
export function firstAdminNotice({ email, password }: { email: string; password: string }): string {
  const lines = [
    'First administrator created. This password is shown only now:',
    '',
    `  E-mail:   ${email}`,
    `  Password: ${password}`,
    '',
    'Sign in and keep it somewhere safe. Lost it? Set a new one with',
    `  npm run cli -- user:create --email ${email} --password <new password> --reset-password`,
    'or create another administrator: user:create --email <e-mail> --name <name> --password <…> --role admin',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '─'.repeat(width + 2);
  return ['', `┌${rule}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${rule}┘`, ''].join('\n') + '\n';
}
