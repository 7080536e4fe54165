/*
 * The benchmark's HTTP part (see bench.ts): the built app as a child process on the benchmark's database,
 * its users, and autocannon measurements of each endpoint at 10 and 50 connections.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Knex } from '@mikro-orm/knex';
import { hashPassword } from '@app/auth';

/** The compiled app next to this compiled file: dist/test/perf → dist/apps/tracker/src. */
export const DIST_APP = join(__dirname, '..', '..', 'apps', 'tracker', 'src');
export const MAIN_JS = join(DIST_APP, 'main.js');
export const CLI_JS = join(DIST_APP, 'cli.js');

export const ENDPOINTS = [
  'noop',
  'unit',
  'province',
  'national',
  'league',
  'overview_page',
  'unit_page',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
export const CONNECTIONS = [10, 50] as const;

export interface HttpFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  duration_s: number;
}
export type HttpResults = Record<Endpoint, { c10: HttpFigures; c50: HttpFigures }>;

function log(msg: string) {
  process.stdout.write(`[bench] ${msg}\n`);
}

/**
 * The environment for the app and its CLI: the caller's (PATH, locale, …) without any setting of another
 * installation (a real SMTP server, another database), plus the benchmark's own.
 */
export function appEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const passOn = new Set(['DATABASE_POOL_SIZE', 'DATABASE_POOL_TIMEOUT_MS']);
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(DATABASE_|SMTP_|MAIL_|REPORT|ADMIN_|ROLE$|PORT$|DATA_DIR$|CONFIG_DIR$)/.test(k) && !passOn.has(k))
      continue;
    env[k] = v;
  }
  return { ...env, LOG_LEVEL: 'error', ...overrides };
}

export interface BenchUsers {
  password: string;
  admin: string;
  supervisor: string;
  unitUser: string;
  /** The unit user's unit, in the supervisor's province. */
  unitId: number;
  province: string;
}

/**
 * An admin, one supervisor per province (the first of `province` signs in; the others only receive the
 * monthly digest) and a user of `unitId`, written directly (the fill bypasses the services anyway) with
 * argon2id hashes from the app's own hashPassword().
 */
export async function createUsers(
  knex: Knex,
  unit: { id: number; province: string },
  provinces: readonly string[],
): Promise<BenchUsers> {
  const password = 'bench-password-1';
  const hash = await hashPassword(password);
  const users: BenchUsers = {
    password,
    admin: 'admin@bench.example.com',
    supervisor: `supervisor-${unit.province}@bench.example.com`,
    unitUser: `unit-${unit.id}@bench.example.com`,
    unitId: unit.id,
    province: unit.province,
  };
  const row = (email: string, name: string, role: string, extra: Record<string, unknown> = {}) => ({
    created_at: new Date(),
    updated_at: new Date(),
    email,
    name,
    password_hash: hash,
    role,
    provinces: JSON.stringify([]),
    locale: 'zh',
    active: true,
    ...extra,
  });
  await knex('users').insert([
    row(users.admin, '管理员', 'admin'),
    row(users.unitUser, '单位用户', 'unit', { unit_id: unit.id }),
    ...provinces.map((p) =>
      row(`supervisor-${p}@bench.example.com`, `监管 ${p}`, 'supervisor', {
        provinces: JSON.stringify([p]),
      }),
    ),
  ]);
  return users;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningApp {
  base: string;
  pid: number;
  /** What the app wrote to stdout and stderr. */
  output(): string;
  /** What it wrote to stderr (with LOG_LEVEL=error: its errors). */
  errors(): string;
  stop(): Promise<void>;
}

/** Starts dist/apps/tracker/src/main.js (ROLE=web) on the database and waits for /health/live. */
export async function startApp(databaseUrl: string, dataDir: string): Promise<RunningApp> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [MAIN_JS], {
    env: appEnv({ ROLE: 'web', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
    err += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const app: RunningApp = {
    base,
    pid: child.pid ?? -1,
    output: () => out,
    errors: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${base}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await app.stop();
      throw new Error(`the app did not answer /health/live within 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`app (pid ${app.pid}) listening on ${base}`);
  return app;
}

/** Signs in through the API; the token is the bearer token and the session cookie's value alike. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

interface Target {
  path: string;
  headers: Record<string, string>;
}

/** What each endpoint requests, as whom. Pages are asked for like a browser: HTML, gzip, the cookie. */
export async function targets(base: string, users: BenchUsers): Promise<Record<Endpoint, Target>> {
  const [admin, supervisor, unit] = [
    await signIn(base, users.admin, users.password),
    await signIn(base, users.supervisor, users.password),
    await signIn(base, users.unitUser, users.password),
  ];
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const page = (token: string) => ({
    cookie: `sid=${token}`,
    accept: 'text/html',
    'accept-encoding': 'gzip',
  });
  return {
    noop: { path: '/health/live', headers: {} },
    unit: { path: `/api/v1/units/${users.unitId}/compliance`, headers: bearer(unit) },
    province: { path: `/api/v1/compliance?province=${users.province}`, headers: bearer(supervisor) },
    national: { path: '/api/v1/compliance?page=1&pageSize=50', headers: bearer(admin) },
    league: { path: '/api/v1/compliance/league?by=cohort', headers: bearer(supervisor) },
    overview_page: { path: '/overview', headers: page(admin) },
    unit_page: { path: `/units/${users.unitId}`, headers: page(unit) },
  };
}

/** One request outside the measurement: it must be a 200; returns its size and time for the log. */
async function probe(base: string, target: Target): Promise<{ status: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${target.path}`, { headers: target.headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes: body.length, ms: performance.now() - t0 };
}

async function cannon(base: string, target: Target, connections: number, seconds: number) {
  const r = await autocannon({
    url: `${base}${target.path}`,
    headers: target.headers,
    connections,
    duration: seconds,
    timeout: 30,
  });
  const figures: HttpFigures = {
    rps: round(r.requests.average, 1),
    p50_ms: round(r.latency.p50, 1),
    p99_ms: round(r.latency.p99, 1),
    non2xx: r.non2xx,
    errors: r.errors,
    duration_s: round(r.duration, 1),
  };
  return figures;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Every endpoint at 10 and then 50 connections for `seconds` each, one after the other, after a probe (must
 * be 200) and a short unrecorded warm-up. `settle` runs after each measurement, so requests autocannon left
 * in flight do not weigh on the next one. `problems` collects endpoints that did not answer 200.
 */
export async function measureHttp(
  app: RunningApp,
  users: BenchUsers,
  seconds: number,
  problems: string[],
  settle: () => Promise<void>,
): Promise<HttpResults> {
  const all = await targets(app.base, users);
  const out = {} as HttpResults;
  for (const name of ENDPOINTS) {
    const target = all[name];
    const p = await probe(app.base, target);
    log(`${name}: GET ${target.path} → ${p.status}, ${p.bytes} bytes in ${p.ms.toFixed(1)} ms`);
    if (p.status !== 200) problems.push(`${name}: GET ${target.path} answered ${p.status}`);
    await cannon(app.base, target, 10, Math.min(2, seconds)); // warm-up (JIT, caches, pool), not recorded
    await settle();
    const figures = {} as { c10: HttpFigures; c50: HttpFigures };
    for (const c of CONNECTIONS) {
      const f = await cannon(app.base, target, c, seconds);
      await settle();
      figures[`c${c}`] = f;
      log(
        `${name} c${c}: ${f.rps} rps, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms, non2xx ${f.non2xx}, ` +
          `errors ${f.errors}, ${f.duration_s} s`,
      );
    }
    out[name] = figures;
  }
  return out;
}
