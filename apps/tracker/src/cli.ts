import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { DomainError, EnvError } from '@app/common';
import { CliModule } from './cli/cli.module';
import { migrate } from './setup';

/** `npm run cli -- <command> [options]`; `npm run cli -- --help` lists the commands. */
async function main() {
  const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(), {
    logger: ['error', 'warn'],
    cliName: 'tracker',
    serviceErrorHandler: (err) => fail(err),
    errorHandler: (err) => {
      if ((err as { code?: string }).code?.startsWith('commander.'))
        process.exit((err as { exitCode?: number }).exitCode ?? 1);
      fail(err);
    },
  });
  const command = process.argv[2];
  // Help touches no database; compliance:rebuild fills the read model itself.
  if (command && !['help', '--help', '-h'].includes(command)) {
    await migrate(app, { fillReadModel: command !== 'compliance:rebuild' });
  }
  await CommandFactory.runApplication(app);
  await app.close();
}

function fail(err: unknown): never {
  const message =
    err instanceof DomainError ? `${err.zh}\n${err.en}` : err instanceof EnvError ? err.message : String(err);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

main().catch(fail);
