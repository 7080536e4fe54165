import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { BadRequestException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Env } from '@app/common';
import { User } from '@app/db';
import { UsersService } from './users/users.service';
import { ErrorFilter } from './common/error.filter';
import { validationPipe } from './common/validation';

/** Everything main.ts does before listening, shared with the e2e tests so they test the real thing. */
export async function configureApp(app: NestExpressApplication): Promise<void> {
  const env = app.get(Env);
  app.set('trust proxy', 'loopback');
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
    }),
  );
  app.use(cookieParser());
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  app.use(bodyGuard);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle('Standardization demonstration compliance tracker')
    .setVersion('1')
    .addBearerAuth()
    .addCookieAuth('sid')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc));

  await migrate(app);
  await ensureFirstAdmin(app, env);
}

/** Deeper JSON than any form or DTO takes; validating it recursively would exhaust the stack. */
const MAX_BODY_DEPTH = 32;

/**
 * Every handler gets a body: `{}` when none was sent or its content type has no parser (text/plain,
 * multipart outside uploads), so the rules name the missing fields. Deeply nested JSON is refused here.
 */
function bodyGuard(req: Request, _res: Response, next: NextFunction): void {
  if (req.body === undefined) req.body = {};
  else if (tooDeep(req.body, MAX_BODY_DEPTH)) {
    const message = `body: nested deeper than ${MAX_BODY_DEPTH} levels`;
    next(
      new BadRequestException({
        statusCode: 400,
        error: 'ValidationError',
        message,
        messageZh: `请求内容嵌套超过 ${MAX_BODY_DEPTH} 层`,
        errors: [{ field: 'body', rule: 'maxDepth', message }],
      }),
    );
    return;
  }
  next();
}

/** Whether objects/arrays nest deeper than `max`, walked without recursion. */
function tooDeep(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export async function migrate(app: Pick<INestApplication, 'get'>): Promise<void> {
  const applied = await app.get(MikroORM).getMigrator().up();
  if (applied.length) new Logger('Migrations').log(`Applied ${applied.map((m) => m.name).join(', ')}`);
}

/** On an empty database, creates the first administrator; a generated password is printed once. */
async function ensureFirstAdmin(app: INestApplication, env: Env): Promise<void> {
  const orm = app.get(MikroORM);
  if (await orm.em.fork().count(User, {})) return;
  const password = env.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
  await RequestContext.create(orm.em, () =>
    app.get(UsersService).create(null, { email: env.ADMIN_EMAIL, name: '管理员', password, role: 'admin' }),
  );
  const logger = new Logger('Bootstrap');
  logger.log(`Created the first administrator: ${env.ADMIN_EMAIL}`);
  if (!env.ADMIN_PASSWORD) {
    // Printed to stdout only, once, so the operator can sign in; it is never logged again.
    process.stdout.write(`\n  First administrator: ${env.ADMIN_EMAIL}\n  Password: ${password}\n\n`);
  }
}
