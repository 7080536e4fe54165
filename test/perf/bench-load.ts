/*
 * The benchmark's load test (see bench.ts): two instances of the built app (ROLE=web) on the one
 * PostgreSQL database, 200 connections for LOAD_SECONDS against one unit's compliance, one province's
 * compliance and failing sign-ins (wrong passwords for a handful of accounts, so the login throttle is
 * what answers), spread over both instances, while a prober (a process of its own) asks each instance's
 * /health/live every 100 ms. It passes when no request got a 5xx and /health/live's p99 stayed under 100 ms on both.
 */
import { execFile } from 'node:child_process';
import autocannon from 'autocannon';
import { type BenchUsers, type RunningApp, signIn, startApp } from './bench-app';

export interface StreamFigures {
  connections: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
  /** Connection errors, timeouts included. */
  errors: number;
}

export interface LoadFigures {
  seconds: number;
  instances: number;
  streams: Record<string, StreamFigures>;
  /** Per instance: /health/live probes during the load. */
  live: { probes: number; failed: number; p50_ms: number; p99_ms: number; max_ms: number }[];
}

/** Connections per stream and instance: 2 instances × (40 + 40 + 20) = 200. */
const STREAMS = { unit: 40, province: 40, failed_login: 20 } as const;

function log(msg: string) {
  process.stdout.write(`[bench] ${msg}\n`);
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

/**
 * Asks /health/live every 100 ms for `seconds`, from a process of its own: autocannon keeps this one's
 * event loop busy, which would count as the app's latency. Each probe may take at most 5 s.
 */
async function probeLive(base: string, seconds: number) {
  const script = `
    const times = []; let failed = 0; const end = Date.now() + ${seconds * 1000};
    (async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          const res = await fetch(${JSON.stringify(`${base}/health/live`)}, { signal: AbortSignal.timeout(5000) });
          await res.arrayBuffer();
          if (res.status !== 200) failed++;
        } catch { failed++; }
        times.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
      process.stdout.write(JSON.stringify({ times, failed }));
    })();`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { maxBuffer: 16 * 2 ** 20 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
  const { times, failed } = JSON.parse(out) as { times: number[]; failed: number };
  times.sort((a, b) => a - b);
  return {
    probes: times.length,
    failed,
    p50_ms: round(quantile(times, 0.5)),
    p99_ms: round(quantile(times, 0.99)),
    max_ms: round(times[times.length - 1] ?? NaN),
  };
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ timeout: 30, ...opts });
}

export async function loadTest(
  databaseUrl: string,
  dataDir: string,
  users: BenchUsers,
  seconds: number,
  problems: string[],
): Promise<LoadFigures> {
  const apps: RunningApp[] = [];
  try {
    apps.push(await startApp(databaseUrl, dataDir), await startApp(databaseUrl, dataDir));
    const unitToken = await signIn(apps[0].base, users.unitUser, users.password);
    const supervisorToken = await signIn(apps[1].base, users.supervisor, users.password);
    // Wrong passwords for a few accounts (and one that does not exist), round-robin.
    const victims = [users.admin, users.supervisor, users.unitUser, 'nobody@bench.example.com'];
    const loginRequests = victims.map((email) => ({
      method: 'POST' as const,
      path: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'wrong-password-guess' }),
    }));
    const probes = Promise.all(apps.map((a) => probeLive(a.base, seconds)));
    const runs: [string, Promise<autocannon.Result>][] = apps.flatMap((a) => [
      [
        'unit',
        cannon({
          url: `${a.base}/api/v1/units/${users.unitId}/compliance`,
          headers: { authorization: `Bearer ${unitToken}` },
          connections: STREAMS.unit,
          duration: seconds,
        }),
      ],
      [
        'province',
        cannon({
          url: `${a.base}/api/v1/compliance?province=${users.province}`,
          headers: { authorization: `Bearer ${supervisorToken}` },
          connections: STREAMS.province,
          duration: seconds,
        }),
      ],
      [
        'failed_login',
        cannon({
          url: a.base,
          requests: loginRequests,
          connections: STREAMS.failed_login,
          duration: seconds,
        }),
      ],
    ]);
    const results = await Promise.all(runs.map(([, r]) => r));
    const live = await probes;
    const streams: Record<string, StreamFigures> = {};
    runs.forEach(([name], i) => {
      const r = results[i];
      const s = (streams[name] ??= {
        connections: 0,
        rps: 0,
        p50_ms: 0,
        p99_ms: 0,
        '2xx': 0,
        '4xx': 0,
        '5xx': 0,
        errors: 0,
      });
      s.connections += r.connections;
      s.rps = round(s.rps + r.requests.average);
      // The slower instance's latency percentiles.
      s.p50_ms = Math.max(s.p50_ms, r.latency.p50);
      s.p99_ms = Math.max(s.p99_ms, r.latency.p99);
      s['2xx'] += r['2xx'];
      s['4xx'] += r['4xx'];
      s['5xx'] += r['5xx'];
      s.errors += r.errors;
    });
    for (const [name, s] of Object.entries(streams)) {
      log(
        `load ${name}: ${s.connections} connections, ${s.rps} rps, p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms, ` +
          `2xx ${s['2xx']}, 4xx ${s['4xx']}, 5xx ${s['5xx']}, errors ${s.errors}`,
      );
      if (s['5xx'] > 0) problems.push(`load ${name}: ${s['5xx']} answers were 5xx`);
    }
    live.forEach((l, i) => {
      log(
        `load /health/live on instance ${i + 1}: ${l.probes} probes, p99 ${l.p99_ms} ms, max ${l.max_ms} ms`,
      );
      if (!(l.p99_ms < 100)) problems.push(`load: /health/live p99 ${l.p99_ms} ms on instance ${i + 1}`);
      if (l.failed) problems.push(`load: ${l.failed} /health/live probes failed on instance ${i + 1}`);
    });
    if (!(streams.failed_login['4xx'] > 0)) problems.push('load: no failing sign-in was refused');
    for (const a of apps) {
      const errors = a.errors().trim();
      if (errors) log(`app ${a.pid} errors (LOG_LEVEL=error):\n${errors.slice(-3000)}`);
    }
    return { seconds, instances: apps.length, streams, live };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
  }
}

/** The load test's lines of results.md. */
export function loadLines(l: LoadFigures | null, loadavg: number[]): string[] {
  if (!l) return ['- Load test: skipped (BENCH_LOAD=0)', ''];
  return [
    `- Load test: ${l.instances} instances (ROLE=web) on the one database, 200 connections for ${l.seconds} s ` +
      `(per instance: unit ${STREAMS.unit}, province ${STREAMS.province}, failing sign-ins ${STREAMS.failed_login}), ` +
      `load average before ${loadavg.map((x) => x.toFixed(2)).join(' / ')}`,
    '',
    '| stream | connections | rps | p50 ms | p99 ms | 2xx | 4xx | 5xx | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(l.streams).map(
      ([n, s]) =>
        `| ${n} | ${s.connections} | ${s.rps} | ${s.p50_ms} | ${s.p99_ms} | ${s['2xx']} | ${s['4xx']} | ${s['5xx']} | ${s.errors} |`,
    ),
    '',
    ...l.live.map(
      (x, i) =>
        `- /health/live on instance ${i + 1} during the load: ${x.probes} probes, p50 ${x.p50_ms} ms, ` +
        `p99 ${x.p99_ms} ms, max ${x.max_ms} ms, failed ${x.failed}`,
    ),
    '',
  ];
}
