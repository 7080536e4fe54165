import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Env, EnvError } from '@app/common';
import { AppModule } from './app.module';
import { configureApp, firstAdminNotice } from './setup';

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
  let startup;
  try {
    startup = await configureApp(app);
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    process.stderr.write(`${e.message}\n`);
    await app.close();
    process.exit(1);
  }
  const env = app.get(Env);
  await app.listen(env.PORT);
  process.stdout.write(`Listening on http://localhost:${env.PORT} (data in ${env.DATA_DIR})\n`);
  // Last, below the route logs, so the operator sees it.
  if (startup.firstAdmin) process.stdout.write(firstAdminNotice(startup.firstAdmin));
}

void bootstrap();
