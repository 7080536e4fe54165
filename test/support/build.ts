import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');

export interface Build {
  /** node <main> starts the service, like `npm start` after its build step. */
  main: string;
  /** node <cli> <command> runs a command, like `npm run cli --`. */
  cli: string;
  remove(): void;
}

/**
 * Compiles the service with the project's own `nest build` into a private folder under var/, so
 * tests can run it as separate processes without touching dist/ (which others rebuild). The folder
 * links config/ and apps/ the way the repository root has them, since the service reads rule sets
 * and page templates from there.
 */
export function buildService(): Build {
  const dir = join(REPO, 'var', `e2e-build-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.build.json',
      compilerOptions: { outDir: './dist', incremental: false },
      include: ['../../apps/**/*.ts', '../../libs/**/*.ts'],
    }),
  );
  const rel = (p: string) => join('var', dir.split('/var/')[1], p);
  writeFileSync(
    join(dir, 'nest-cli.json'),
    JSON.stringify({
      collection: '@nestjs/schematics',
      monorepo: true,
      root: 'apps/tracker',
      sourceRoot: 'apps/tracker/src',
      compilerOptions: { deleteOutDir: true, builder: 'tsc', tsConfigPath: rel('tsconfig.json'), assets: [] },
      projects: {
        tracker: {
          type: 'application',
          root: 'apps/tracker',
          entryFile: 'main',
          sourceRoot: 'apps/tracker/src',
          compilerOptions: { tsConfigPath: rel('tsconfig.json') },
        },
      },
    }),
  );
  for (const link of ['config', 'apps']) symlinkSync(join(REPO, link), join(dir, link));
  const r = spawnSync(
    process.execPath,
    [
      join(REPO, 'node_modules/@nestjs/cli/bin/nest.js'),
      'build',
      'tracker',
      '-c',
      rel('nest-cli.json'),
      '-p',
      rel('tsconfig.json'),
    ],
    { cwd: REPO, encoding: 'utf8', timeout: 600_000 },
  );
  const main = join(dir, 'dist/apps/tracker/src/main.js');
  const cli = join(dir, 'dist/apps/tracker/src/cli.js');
  // Type errors elsewhere in the tree do not stop tsc from emitting; missing output does.
  if (!existsSync(main) || !existsSync(cli)) {
    throw new Error(`build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return { main, cli, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Child {
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `node script args` with only the given environment (plus PATH), collecting its output. */
export function runNode(script: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal })),
  );
  return {
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
