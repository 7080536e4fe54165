import 'reflect-metadata';
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
  // Held until configureApp hands them to the JSON logger (printed as they are if start-up fails first).
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  await configureApp(app);
  const env = app.get(Env);
  await app.listen(env.PORT);
  process.stdout.write(`Listening on http://localhost:${env.PORT} (data in ${env.DATA_DIR})\n`);
}

void bootstrap();
