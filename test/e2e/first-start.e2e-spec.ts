import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildService, type Build, type Child, runNode } from '../support/build';

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The compiled service started like `npm start` on an empty data folder. */
describe('first start: the first administrator and its password', () => {
  let build: Build;
  const dirs: string[] = [];
  const children: Child[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'tracker-first-'));
    dirs.push(d);
    return d;
  };
  beforeAll(() => {
    build = buildService();
  }, 600_000);
  afterAll(async () => {
    for (const c of children) c.kill();
    await Promise.all(children.map((c) => c.exited));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    build?.remove();
  });

  it('without ADMIN_PASSWORD, prints the generated password once, boxed, after the route logs, naming user:create', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir(), PORT: String(port), LOG_LEVEL: 'debug' }; // route logs are debug lines
    const server = runNode(build.main, [], env);
    children.push(server);
    await until('the password box', () => server.output().includes('└'));
    const out = server.output();
    const box = out.slice(out.indexOf('┌'), out.indexOf('┘') + 1);
    const password = /Password: (\S+)/.exec(box)?.[1];
    expect(password).toBeDefined();
    expect(box).toContain('admin@example.gov.cn');
    expect(box).toContain('npm run cli -- user:create --email admin@example.gov.cn');
    expect(box).toContain('--reset-password');
    // Last: after every start-up log line (Nest's route logs included) and the "Listening" line.
    expect(out.lastIndexOf('Mapped {')).toBeGreaterThan(0);
    expect(out.indexOf('┌')).toBeGreaterThan(out.lastIndexOf('Mapped {'));
    expect(out.indexOf('┌')).toBeGreaterThan(out.indexOf('Listening on'));
    expect(out.split(password!)).toHaveLength(2);
    const rows = box.split('\n').map((l) => l.length);
    expect(new Set(rows).size).toBe(1);

    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.gov.cn', password }),
    });
    expect(login.status).toBe(200);
    server.kill();
    await server.exited;

    // Started again on the same data: nothing new to show.
    const again = runNode(build.main, [], { ...env, LOG_LEVEL: 'warn' });
    children.push(again);
    await until('the service to listen', () => again.output().includes('Listening on'));
    await sleep(300);
    expect(again.output()).not.toContain('Password:');
    again.kill();
    await again.exited;

    // Lost: the box's command sets a new one (same rule), and only the new one signs in.
    const reset = (pw: string) =>
      runNode(
        build.cli,
        ['user:create', '--email', 'admin@example.gov.cn', '--password', pw, '--reset-password'],
        env,
      );
    const weak = reset('1234567890');
    expect(await weak.exited).toMatchObject({ code: 1 });
    expect(weak.output()).toContain('password is too easy to guess');
    const ok = reset('a-brand-new-admin-password-7');
    expect(await ok.exited).toMatchObject({ code: 0 });
    expect(ok.output()).toContain('Password of admin admin@example.gov.cn');
    const third = runNode(build.main, [], { ...env, LOG_LEVEL: 'warn' });
    children.push(third);
    await until('the service to listen', () => third.output().includes('Listening on'));
    const signIn = (pw: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.gov.cn', password: pw }),
      }).then((r) => r.status);
    expect(await signIn(password!)).toBe(401);
    expect(await signIn('a-brand-new-admin-password-7')).toBe(200);
    third.kill();
    await third.exited;
  });

  it.each(['abc', '1234567890', 'admin@example.gov.cn'])(
    'a weak ADMIN_PASSWORD (%j) stops the first start, naming it',
    async (weak) => {
      const server = runNode(build.main, [], {
        DATA_DIR: dataDir(),
        PORT: String(await freePort()),
        ADMIN_PASSWORD: weak,
        LOG_LEVEL: 'warn',
      });
      children.push(server);
      const { code } = await server.exited;
      expect(code).toBe(1);
      expect(server.output()).toMatch(
        /Invalid configuration:\n {2}ADMIN_PASSWORD (must be at least 10|is too easy)/,
      );
      expect(server.output()).not.toContain('Listening on');
    },
  );

  it('user:create refuses a weak password naming the field, and takes a strong one', async () => {
    const env = { DATA_DIR: dataDir(), ADMIN_PASSWORD: 'first-start-password-1' };
    const args = ['user:create', '--email', 'wang.fang@example.cn', '--name', '王芳', '--role', 'admin'];
    for (const weak of ['1234567890', 'wang.fang@example.cn']) {
      const cli = runNode(build.cli, [...args, '--password', weak], env);
      expect(await cli.exited).toMatchObject({ code: 1 });
      expect(cli.output()).toContain('password is too easy to guess');
      expect(cli.output()).toContain('密码太容易被猜到');
    }
    const ok = runNode(build.cli, [...args, '--password', 'a-strong-new-password-1'], env);
    expect(await ok.exited).toMatchObject({ code: 0 });
    expect(ok.output()).toContain('Created admin wang.fang@example.cn');
  });
});
