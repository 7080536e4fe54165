/*
 * The benchmark's monthly step (see bench.ts): the whole monthly run of one period as operators run it,
 * `node dist/apps/tracker/src/cli.js reports:run --period YYYY-MM`, in its own process with the file
 * transport (no SMTP_URL: every mail becomes DATA_DIR/mail/*.eml), measured by /usr/bin/time -v (wall
 * time, user + system CPU of every thread, peak RSS), or by sampling /proc when that is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from '@mikro-orm/knex';
import { appEnv, CLI_JS } from './bench-app';

export interface MonthlyFigures {
  /** Units reported that month (a unit report was queued for them). */
  units: number;
  /** Mails sent (unit reports and digests). */
  mails: number;
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  /** Supervisor (and admin) digests among the mails. */
  digests: number;
}

const TIME = '/usr/bin/time';

function log(msg: string) {
  process.stdout.write(`[bench] ${msg}\n`);
}

/** Seconds of an `h:mm:ss` or `m:ss.cc` duration. */
function seconds(s: string): number {
  return s
    .split(':')
    .map(Number)
    .reduce((a, b) => a * 60 + b, 0);
}

interface Measured {
  status: number | null;
  stdout: string;
  stderr: string;
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
}

function underTime(args: string[], env: NodeJS.ProcessEnv): Measured {
  const r = spawnSync(TIME, ['-v', process.execPath, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  const err = r.stderr ?? '';
  const field = (label: string) => new RegExp(`${label}: (.+)`).exec(err)?.[1].trim() ?? '';
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: err,
    wall_s: seconds(field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)')),
    cpu_s: Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)')),
    peak_rss_mb: Number(field('Maximum resident set size \\(kbytes\\)')) / 1024,
  };
}

/** Without /usr/bin/time: peak RSS (VmHWM) and CPU ticks read from /proc every 100 ms until exit. */
async function sampled(args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let hwmKb = 0;
  let ticks = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      hwmKb = Math.max(hwmKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks = Number(stat[11]) + Number(stat[12]); // utime + stime
    } catch {
      // exited between samples
    }
  };
  const timer = setInterval(sample, 100);
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearInterval(timer);
  return {
    status,
    stdout,
    stderr,
    wall_s: (performance.now() - t0) / 1000,
    cpu_s: ticks / 100, // USER_HZ; misses the last <100 ms
    peak_rss_mb: hwmKb / 1024,
  };
}

/**
 * Runs the monthly reports of `period` for every unit of the database and counts what it produced. The
 * numbers (units, mails, digests) come from the outbox of that period; `problems` gets a line when the run
 * fails or a reported unit got no mail.
 */
export async function monthlyRun(
  knex: Knex,
  databaseUrl: string,
  dataDir: string,
  period: string,
  problems: string[],
): Promise<MonthlyFigures> {
  const [expected] = (
    await knex.raw(
      `select count(*)::int as n from units
       where deleted_at is null and status in ('active', 'under_evaluation')
         and cycle_start::date <= (?::date + interval '1 month' - interval '1 day')::date
         and cycle_end::date >= ?::date`,
      [`${period}-01`, `${period}-01`],
    )
  ).rows;
  const env = appEnv({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
  const args = [CLI_JS, 'reports:run', '--period', period];
  log(`monthly run ${period}: ${expected.n} units to report; node ${args.join(' ')}`);
  const m = existsSync(TIME) ? underTime(args, env) : await sampled(args, env);
  process.stdout.write(m.stdout);
  if (m.status !== 0) {
    problems.push(`reports:run --period ${period} exited ${m.status}`);
    process.stdout.write(m.stderr.slice(-4000));
  }
  const [counts] = (
    await knex.raw(
      `select count(distinct unit_id) filter (where kind = 'unit_report')::int as units,
              count(*) filter (where status = 'sent')::int as mails,
              count(*) filter (where kind <> 'unit_report' and status = 'sent')::int as digests,
              count(*) filter (where status <> 'sent')::int as unsent
       from outbox_messages where period = ?`,
      [period],
    )
  ).rows;
  const mailDir = join(dataDir, 'mail');
  const files = existsSync(mailDir) ? readdirSync(mailDir).length : 0;
  if (counts.units !== expected.n)
    problems.push(`monthly run: ${counts.units} units reported, ${expected.n} expected`);
  if (counts.unsent) problems.push(`monthly run: ${counts.unsent} mails not sent`);
  const figures: MonthlyFigures = {
    units: counts.units,
    mails: counts.mails,
    wall_s: Math.round(m.wall_s * 10) / 10,
    cpu_s: Math.round(m.cpu_s * 10) / 10,
    peak_rss_mb: Math.round(m.peak_rss_mb),
    digests: counts.digests,
  };
  log(
    `monthly run ${period}: ${figures.units} units, ${figures.mails} mails (${figures.digests} digests, ` +
      `${files} .eml files), wall ${figures.wall_s} s, CPU ${figures.cpu_s} s, peak RSS ${figures.peak_rss_mb} MiB`,
  );
  return figures;
}
