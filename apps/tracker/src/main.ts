import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Env, EnvError } from '@app/common';
import { AppModule } from './app.module';
import { configureApp } from './setup';

async function bootstrap() {
  let module;
  try {
    module = AppModule.forRoot();
  } catch (e) {
    if (e instanceof EnvError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: new ConsoleLogger({ json: process.env.LOG_FORMAT === 'json', logLevels: logLevels() }),
  });
  await configureApp(app);
  const env = app.get(Env);
  await app.listen(env.PORT);
  process.stdout.write(`Listening on http://localhost:${env.PORT} (data in ${env.DATA_DIR})\n`);
}

function logLevels() {
  const order = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  const level = (process.env.LOG_LEVEL ?? 'log') as (typeof order)[number];
  return order.slice(0, Math.max(order.indexOf(level), 0) + 1);
}

void bootstrap();
