/*
 * Compliance benchmark on PostgreSQL (issue 8). In one run, on one database it creates and fills:
 *   1. in-process: grouped SQL (ComplianceService) against the naive way (load every activity of the period,
 *      evaluate() per unit), side by side on the same data, plus one unit's view and an EXPLAIN check that
 *      the per-unit query uses the (unit_id, requirement, status, date) index;
 *   2. over HTTP: starts the built app (dist/apps/tracker/src/main.js, ROLE=web) on that database, signs in
 *      an admin, a supervisor of one province and a unit user, and measures with autocannon at 10 and at
 *      50 connections: noop (GET /health/live), unit (GET /api/v1/units/:id/compliance, unit user),
 *      province (GET /api/v1/compliance?province=.., supervisor), national (GET /api/v1/compliance?page=1
 *      &pageSize=50, admin), league (GET /api/v1/compliance/league?by=cohort, supervisor), overview_page
 *      (GET /overview, admin cookie), unit_page (GET /units/:id, unit user cookie);
 *   3. load: two instances on that database, 200 connections for BENCH_LOAD_SECONDS on unit, province and
 *      failing sign-ins, /health/live probed on both throughout (bench-load.ts): no 5xx, live p99 < 100 ms;
 *   4. monthly: the whole monthly run of BENCH_MONTHLY_PERIOD (`cli.js reports:run`, file transport into a
 *      temporary DATA_DIR) under /usr/bin/time -v: wall time, CPU time, peak RSS, mails, digests, units;
 *   5. pack (opt-in, BENCH_PACK=1): the unit user's acceptance pack with BENCH_PACK_MB of evidence, the
 *      app's RSS sampled while it streams, against its baseline (bench-pack.ts);
 *   6. integrity: duplicate-claim matching per submission on the filled database, p50/p99 of
 *      BENCH_INTEGRITY_SUBMISSIONS submissions' checks and EXPLAIN proof of the index lookup (bench-integrity.ts).
 *
 *   npm run bench                      10,000 units, 2,000,000 activities (builds first)
 *   BENCH_UNITS=500 BENCH_ACTIVITIES=50000 BENCH_RUNS=1 BENCH_HTTP_SECONDS=3 npm run bench
 *
 * Settings (environment):
 *   BENCH_PG_URL          server without a database name (default postgresql://postgres@127.0.0.1:5432)
 *   BENCH_UNITS           units in the fill (default 10000); each has one contact e-mail
 *   BENCH_ACTIVITIES      activities in the fill (default 2000000)
 *   BENCH_RUNS            timed runs per in-process measurement, after one warm-up (default 5)
 *   BENCH_HTTP_SECONDS    seconds per HTTP endpoint and connection count (default 15)
 *   BENCH_HTTP=0          skip the HTTP part (results.json then has "http": null)
 *   BENCH_LOAD=0          skip the load test ("load": null): two instances, 200 connections (bench-load.ts)
 *   BENCH_LOAD_SECONDS    length of the load test (default 60)
 *   BENCH_MONTHLY=0       skip the monthly run ("monthly": null)
 *   BENCH_MONTHLY_PERIOD  month of the monthly run, YYYY-MM (default 2026-05, the fill's month)
 *   BENCH_PACK=1          run the acceptance-pack step ("pack": null otherwise)
 *   BENCH_PACK_MB         evidence in that pack, MiB (default 200), in files of BENCH_PACK_FILE_MB (default 5)
 *   BENCH_INTEGRITY=0     skip the duplicate-claim step ("integrity": null)
 *   BENCH_INTEGRITY_SUBMISSIONS  submissions timed there (default 300)
 *   BENCH_KEEP=1          keep the database (and the monthly run's DATA_DIR) afterwards
 * DATABASE_POOL_SIZE and DATABASE_POOL_TIMEOUT_MS, when set, are passed on to the app and the CLI.
 *
 * Creates its own database bench_<timestamp> and drops it afterwards. Writes test/perf/results.json
 * (overwritten each run: machine, sizes, load average, http.<endpoint>.c10|c50 {rps, p50_ms, p99_ms,
 * non2xx, errors, duration_s}, load {streams, live}, monthly {units, mails, wall_s, cpu_s, peak_rss_mb, digests},
 * pack {files, evidence_mb, zip_mb, seconds, mb_per_s, baseline_rss_mb, peak_rss_mb, peak_over_baseline_mb, hwm_mb}) and appends a
 * dated section with the tables to test/perf/results.md. Exits 1 when the two ways disagree, the index is
 * not used, an endpoint does not answer 200 before its measurement, or the monthly run fails.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex } from '@mikro-orm/knex';
import {
  type ActivityFact,
  evaluate,
  type IsoDate,
  PROVINCE_CODES,
  requirementPeriod,
  type UnitCompliance,
} from '@app/compliance';
import { INSTALL_ROOT } from '@app/common';
import { ormOptions } from '@app/db';
import { FixedClock } from '../../apps/tracker/src/common/clock';
import { RuleSetsService } from '../../apps/tracker/src/rule-sets/rule-sets.service';
import { ComplianceService } from '../../apps/tracker/src/compliance/compliance.service';
import { ACTIVITY_ATTRIBUTES, activityFact } from '../../apps/tracker/src/compliance/compliance.facts';
import type { ScopeComplianceView, UnitSummary } from '../../apps/tracker/src/compliance/compliance.types';
import { appEnv, CLI_JS, createUsers, ENDPOINTS, type HttpResults, measureHttp, startApp } from './bench-app';
import { type MonthlyFigures, monthlyRun } from './bench-monthly';
import { loadLines, loadTest } from './bench-load';
import { packBench, packLines } from './bench-pack';
import { integrityBench, integrityLines } from './bench-integrity';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const ACTIVITIES = Number(process.env.BENCH_ACTIVITIES ?? 2_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PG = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 15);
const HTTP = process.env.BENCH_HTTP !== '0';
const MONTHLY = process.env.BENCH_MONTHLY !== '0';
const LOAD = process.env.BENCH_LOAD !== '0';
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const MONTHLY_PERIOD = process.env.BENCH_MONTHLY_PERIOD ?? '2026-05';
const PACK = process.env.BENCH_PACK === '1';
const PACK_MB = Number(process.env.BENCH_PACK_MB ?? 200);
const PACK_FILE_MB = Number(process.env.BENCH_PACK_FILE_MB ?? 5);
const INTEGRITY = process.env.BENCH_INTEGRITY !== '0';
const INTEGRITY_SUBMISSIONS = Number(process.env.BENCH_INTEGRITY_SUBMISSIONS ?? 300);
/** Fixed so the data (dated up to this day) and the figures do not depend on when the benchmark runs. */
const TODAY: IsoDate = '2026-05-15';
const ROOT = INSTALL_ROOT;
const RESULTS = join(ROOT, 'test', 'perf', 'results.md');
const RESULTS_JSON = join(ROOT, 'test', 'perf', 'results.json');
const INDEX = 'activities_unit_id_requirement_status_date_index';

/** Two-year cycles of five cohorts: one ended in 2025, three running, one started this year. */
const COHORTS = ['2023-07-01', '2024-07-01', '2025-01-01', '2025-07-01', '2026-01-01'];

function log(msg: string) {
  process.stdout.write(`[bench] ${msg}\n`);
}

async function timed<T>(label: string, runs: number, fn: () => Promise<T>) {
  const result = await fn(); // warm-up, not counted
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const median = ms.length % 2 ? ms[(ms.length - 1) / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  log(`${label}: median ${median.toFixed(1)} ms (min ${ms[0].toFixed(1)}, max ${ms.at(-1)!.toFixed(1)})`);
  return { label, median, min: ms[0], max: ms.at(-1)!, runs, result };
}

async function generate(knex: Knex) {
  const provinces = `array[${PROVINCE_CODES.map((c) => `'${c}'`).join(',')}]`;
  const cohorts = `array[${COHORTS.map((c) => `'${c}'`).join(',')}]`;
  let t0 = performance.now();
  // One unit in ten follows the project-year rule set, so the benchmark also covers per-cycle groups.
  // Every unit has a contact, so every unit reported in the monthly run gets a mail. Dates are produced
  // as `date` and assigned to the columns, whatever their type (varchar(10) or date).
  await knex.raw(`
    insert into units (created_at, updated_at, name, credit_code, province, industry, kind, program,
                       rule_set_version, cycle_start, cycle_end, contacts, status)
    select now(), now(), '示范单位' || lpad(g::text, 6, '0'), lpad(g::text, 18, '0'),
           (${provinces})[1 + g % ${PROVINCE_CODES.length}],
           (array['现代物流','旅游','养老服务','电子商务'])[1 + g % 4],
           case when g % 5 = 0 then 'regional' else 'enterprise' end,
           case when g % 10 = 0 then 'social-management-pilot' else 'service-industry-demo' end, 1,
           c.cs, (c.cs + interval '2 years' - interval '1 day')::date,
           jsonb_build_array(jsonb_build_object('name', '联系人' || g, 'email', 'unit' || g || '@bench.example.com')),
           'active'
    from generate_series(1, ${UNITS}) g
    cross join lateral (select ((${cohorts})[1 + (g / 10) % ${COHORTS.length}])::date as cs) c`);
  log(`units: ${UNITS} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  t0 = performance.now();
  const batch = 500_000;
  for (let from = 1; from <= ACTIVITIES; from += batch) {
    const to = Math.min(ACTIVITIES, from + batch - 1);
    // Dates spread over each unit's cycle up to today; statuses 60% verified, 15% submitted, 15% draft,
    // 10% rejected; 3% deleted; every level (qualifying or not) and 40 person keys per unit.
    await knex.raw(`
      insert into activities (created_at, updated_at, unit_id, requirement, date, title, status, deleted_at,
                              standard_level, standard_kind, journal_level, outlet_level, person_key)
      select now(), now(), u.id,
             (array['exchange_events','standard_proposals','national_papers','trained_personnel',
                    'work_updates','media_reports'])[1 + floor(random() * 6)::int],
             u.cycle_start::date
               + floor(random() * (least(u.cycle_end::date, '${TODAY}'::date) - u.cycle_start::date + 1))::int,
             'activity ' || g,
             case when r.s < 0.60 then 'verified' when r.s < 0.75 then 'submitted'
                  when r.s < 0.90 then 'draft' else 'rejected' end,
             case when random() < 0.03 then now() end,
             (array['international','national','industry','local','group','enterprise'])[1 + floor(random() * 6)::int],
             (array['proposal','implementation_report'])[1 + floor(random() * 2)::int],
             (array['national','provincial','other'])[1 + floor(random() * 3)::int],
             (array['national','provincial','municipal','other'])[1 + floor(random() * 4)::int],
             'ID-' || floor(random() * 40)::int
      from generate_series(${from}, ${to}) g
      join units u on u.id = 1 + (g % ${UNITS})
      cross join lateral (select random() + g * 0 as s) r`);
    log(`activities: ${to} / ${ACTIVITIES}`);
  }
  log(`activities inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  t0 = performance.now();
  await knex.raw('vacuum analyze units');
  await knex.raw('vacuum analyze activities');
  log(`vacuum analyze in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * The naive way: read every non-deleted activity dated within the span of the units' periods (only the
 * columns the engine needs, as plain rows: the cheapest form of "load them all"), then evaluate() per unit.
 */
async function naiveScope(knex: Knex, ruleSets: RuleSetsService, units: UnitSummary[], at: IsoDate) {
  let from = '9999-12-31';
  let to = '0000-01-01';
  for (const u of units) {
    const rs = ruleSets.get(u.program, u.ruleSetVersion);
    for (const req of rs.requirements) {
      const p = requirementPeriod(req, rs, { start: u.cycleStart, end: u.cycleEnd }, at);
      if (p.start < from) from = p.start;
      if (p.end > to) to = p.end;
    }
  }
  const attributeColumns = ACTIVITY_ATTRIBUTES.map((a) => [a, snake(a)] as const);
  const columns = ['unit_id', 'requirement', 'date', 'status', ...attributeColumns.map(([, c]) => c)];
  const rows: Record<string, unknown>[] = await knex('activities')
    .select(columns)
    .whereNull('deleted_at')
    .whereBetween('date', [from, to]);
  const byUnit = new Map<number, ActivityFact[]>();
  for (const r of rows) {
    const attrs: Record<string, unknown> = {};
    for (const [a, c] of attributeColumns) attrs[a] = r[c];
    const fact = activityFact({
      ...attrs,
      requirement: r.requirement,
      date: r.date,
      status: r.status,
    } as never);
    const id = Number(r.unit_id);
    let list = byUnit.get(id);
    if (!list) byUnit.set(id, (list = []));
    list.push(fact);
  }
  const results = new Map<number, UnitCompliance>();
  for (const u of units) {
    const rs = ruleSets.get(u.program, u.ruleSetVersion);
    results.set(
      u.id,
      evaluate(rs, { start: u.cycleStart, end: u.cycleEnd }, byUnit.get(u.id) ?? [], TODAY, at),
    );
  }
  return { rows: rows.length, results };
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Every number of every row of the grouped view must equal the naive evaluation. */
function disagreements(view: ScopeComplianceView, naive: Map<number, UnitCompliance>): string[] {
  const out: string[] = [];
  for (const row of view.rows) {
    const n = naive.get(row.unit.id);
    if (!n) {
      out.push(`unit ${row.unit.id}: missing in the naive result`);
      continue;
    }
    if (n.overall !== row.overall) out.push(`unit ${row.unit.id}: overall ${row.overall} != ${n.overall}`);
    for (const r of n.requirements) {
      const c = row.requirements[r.key];
      for (const k of ['verified', 'pending', 'minimum', 'pace', 'status'] as const) {
        if (c?.[k] !== r[k]) out.push(`unit ${row.unit.id} ${r.key}.${k}: ${c?.[k]} != ${r[k]}`);
      }
    }
  }
  if (view.rows.length !== naive.size) out.push(`rows ${view.rows.length} != ${naive.size}`);
  return out;
}

/**
 * The stored-counts read model (issue 8, item 1) is kept up to date by the services; the fill bypasses
 * them, so it is rebuilt from the activities with the app's own CLI, when the build has that command.
 */
function rebuildReadModel(databaseUrl: string, dataDir: string) {
  const env = appEnv({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI_JS, 'compliance:rebuild'], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`compliance:rebuild exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  log(`read model rebuilt (compliance:rebuild) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Starts the built app on the database and measures every endpoint over HTTP; always stops it. */
async function httpStep(
  knex: Knex,
  databaseUrl: string,
  dataDir: string,
  users: Awaited<ReturnType<typeof createUsers>>,
  problems: string[],
): Promise<HttpResults> {
  const app = await startApp(databaseUrl, dataDir);
  let output = '';
  try {
    const results = await measureHttp(app, users, HTTP_SECONDS, problems, () => settle(knex));
    output = app.errors();
    return results;
  } finally {
    // What the app logged while measured (its shutdown, which aborts nothing by now, is left out).
    output = (output || app.errors()).trim();
    await app.stop();
    if (output) log(`app errors (LOG_LEVEL=error):\n${output.slice(-4000)}`);
  }
}

/**
 * Waits (at most 2 minutes) until no query of the benchmark's database has been running for two samples in
 * a row: requests cut off at the end of a measurement still run in the app and would slow the next one.
 */
async function settle(knex: Knex): Promise<void> {
  const deadline = Date.now() + 120_000;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    const { rows } = await knex.raw(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`,
    );
    quiet = rows[0].n === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The whole monthly run of MONTHLY_PERIOD, mails written as .eml files into a DATA_DIR of its own. */
async function monthlyStep(knex: Knex, databaseUrl: string, problems: string[]): Promise<MonthlyFigures> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'bench-monthly-'));
  try {
    return await monthlyRun(knex, databaseUrl, dataDir, MONTHLY_PERIOD, problems);
  } finally {
    if (process.env.BENCH_KEEP === '1') log(`kept the monthly run's mails in ${dataDir} (BENCH_KEEP=1)`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** The HTTP table of results.md: per endpoint and connection count, with rps as a share of noop's. */
function httpLines(http: HttpResults | null, before: number[], after: number[]): string[] {
  if (!http) return ['- HTTP: skipped (BENCH_HTTP=0)', ''];
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const head = ['c10', 'c50'].flatMap((c) => [
    `${c} rps`,
    `${c} ×noop`,
    `${c} p50 ms`,
    `${c} p99 ms`,
    `${c} non2xx`,
    `${c} errors`,
  ]);
  const rows = ENDPOINTS.map((e) => {
    const cells = (['c10', 'c50'] as const).flatMap((c) => {
      const f = http[e][c];
      const noop = http.noop[c].rps;
      return [
        fmt(f.rps),
        noop ? (f.rps / noop).toFixed(3) : '–',
        fmt(f.p50_ms),
        fmt(f.p99_ms),
        String(f.non2xx),
        String(f.errors),
      ];
    });
    return `| ${e} | ${cells.join(' | ')} |`;
  });
  return [
    `- HTTP (built app, ROLE=web, autocannon, ${HTTP_SECONDS} s per endpoint and connection count, one after ` +
      `the other; ×noop = rps / rps of GET /health/live at the same connections); load average before ` +
      `${load(before)}, after ${load(after)}`,
    '',
    `| endpoint | ${head.join(' | ')} |`,
    `|---|${head.map(() => '---:').join('|')}|`,
    ...rows,
    '',
  ];
}

function monthlyLines(m: MonthlyFigures | null): string[] {
  if (!m) return ['- Monthly run: skipped (BENCH_MONTHLY=0)', ''];
  return [
    `- Monthly run ${MONTHLY_PERIOD} (\`cli.js reports:run\`, file transport): ${m.units} units reported, ` +
      `${m.mails} mails (${m.digests} digests), wall ${m.wall_s} s, CPU ${m.cpu_s} s, peak RSS ${m.peak_rss_mb} MiB`,
    '',
  ];
}

async function main() {
  const name = `bench_${Date.now()}`;
  const dataDir = mkdtempSync(join(os.tmpdir(), 'bench-'));
  const admin = await MikroORM.init({ ...ormOptions(`${PG}/${name}`, dataDir), migrations: {} });
  await admin.schema.ensureDatabase({ create: true });
  await admin.close();
  log(`database ${name}`);
  let orm: MikroORM | undefined;
  let failed = false;
  try {
    orm = await MikroORM.init(ormOptions(`${PG}/${name}`, dataDir));
    await orm.getMigrator().up();
    const knex = (orm.em.getConnection() as AbstractSqlConnection).getKnex();
    await generate(knex);
    rebuildReadModel(`${PG}/${name}`, dataDir);
    const pg = String((await knex.raw('show server_version')).rows[0].server_version);
    const counts = (
      await knex.raw(`select count(*) as n, count(*) filter (where deleted_at is null) as live,
      count(*) filter (where date between '2026-01-01' and '2026-12-31') as y from activities`)
    ).rows[0];

    const ruleSets = new RuleSetsService();
    const service = new ComplianceService(orm.em.fork(), ruleSets, new FixedClock(TODAY));
    const all = { provinces: null };

    const grouped = await timed('forScope, all units, grouped SQL', RUNS, () =>
      service.forScope(all, TODAY, TODAY),
    );
    const units = await service.sql.units(all);
    const naive = await timed('baseline: load activities + evaluate() per unit', RUNS, () =>
      naiveScope(knex, ruleSets, units, TODAY),
    );
    const diff = disagreements(grouped.result, naive.result.results);
    if (diff.length) {
      failed = true;
      log(`DISAGREEMENT (${diff.length}): ${diff.slice(0, 10).join('; ')}`);
    } else {
      log(`grouped SQL and baseline agree on all ${units.length} units`);
    }
    const province = await timed(`forScope, one province (${PROVINCE_CODES[0]})`, RUNS, () =>
      service.forScope({ provinces: [PROVINCE_CODES[0]] }, TODAY, TODAY),
    );
    const page = await timed('forScope, all units, first page of 50', RUNS, () =>
      service.forScope(all, TODAY, TODAY, { page: 1, pageSize: 50 }),
    );
    const unit = units.find((u) => u.program === 'service-industry-demo' && u.cycleStart === '2025-07-01')!;
    const one = await timed(`forUnit (unit ${unit.id})`, Math.max(RUNS, 20), () =>
      service.forUnit(unit, TODAY, TODAY),
    );
    const trend = await timed('monthlyTrend, all units, 2026', RUNS, () => service.monthlyTrend(all, 2026));

    // The per-unit query must use the index on the real table, with real statistics.
    const rs = ruleSets.get(unit.program, unit.ruleSetVersion);
    const windows = rs.requirements
      .filter((req) => !req.distinctBy)
      .map((req) => {
        const p = requirementPeriod(req, rs, { start: unit.cycleStart, end: unit.cycleEnd }, TODAY);
        return { req, start: p.start, end: p.end };
      });
    const explain = await knex.raw(
      `explain (analyze, costs off, timing off, summary off) ${service.sql.unitMonthsQuery(unit.id, windows).toString()}`,
    );
    const plan = explain.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    const usesIndex = plan.includes(INDEX);
    if (!usesIndex) failed = true;
    log(`per-unit query uses ${INDEX}: ${usesIndex}`);
    const heapMb = (process.memoryUsage().rss / 1024 / 1024).toFixed(0);

    // Over HTTP, then the monthly run: the same database, the built app in its own processes.
    const problems: string[] = [];
    const users = await createUsers(knex, unit, PROVINCE_CODES);
    const loadBefore = os.loadavg();
    const http = HTTP ? await httpStep(knex, `${PG}/${name}`, dataDir, users, problems) : null;
    const loadAfterHttp = os.loadavg();
    await settle(knex);
    const load = LOAD ? await loadTest(`${PG}/${name}`, dataDir, users, LOAD_SECONDS, problems) : null;
    await settle(knex);
    const monthly = MONTHLY ? await monthlyStep(knex, `${PG}/${name}`, problems) : null;
    const pack = PACK
      ? await packBench(knex, `${PG}/${name}`, users, PACK_MB, PACK_FILE_MB, problems).catch(
          (error: Error) => {
            problems.push(`acceptance pack: ${error.message}`);
            return null;
          },
        )
      : null;
    // Last: it gives the activities URLs, persons and evidence, which the steps above do not read.
    const integrity = INTEGRITY ? await integrityBench(orm, knex, INTEGRITY_SUBMISSIONS, log) : null;
    if (integrity && !integrity.figures.uses_index)
      problems.push('the duplicate-claim lookup does not use its index');
    for (const p of problems) log(`PROBLEM: ${p}`);
    if (problems.length) failed = true;

    const cpus = os.cpus();
    const machine =
      `${cpus[0]?.model.trim()} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
      `${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL ${pg}`;
    const json = {
      machine,
      units: UNITS,
      activities: Number(counts.n),
      loadavg: loadBefore.map((x) => Math.round(x * 100) / 100),
      http,
      load,
      monthly,
      pack,
      integrity: integrity?.figures ?? null,
    };
    writeFileSync(RESULTS_JSON, `${JSON.stringify(json, null, 2)}\n`);
    log(`results written to ${RESULTS_JSON}`);
    const lines = [
      '',
      `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${UNITS} units, ${ACTIVITIES} activities`,
      '',
      `- Machine: ${cpus[0]?.model.trim()} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
        `${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL ${pg} (same host, default settings); ` +
        `load average at the end ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' / ')} (shared machine)`,
      `- Data: ${UNITS} units (5 cohorts of two-year cycles, 10% on the project-year rule set), ` +
        `${counts.n} activities (${counts.live} not deleted, ${counts.y} dated in 2026); today = at = ${TODAY}`,
      `- Median of ${RUNS} runs after one warm-up (forUnit: ${one.runs} runs); process RSS at the end ${heapMb} MiB`,
      '',
      '| measurement | median ms | min ms | max ms |',
      '|---|---:|---:|---:|',
      ...[grouped, naive, province, page, one, trend].map(
        (m) => `| ${m.label} | ${m.median.toFixed(1)} | ${m.min.toFixed(1)} | ${m.max.toFixed(1)} |`,
      ),
      '',
      `- Baseline read ${naive.result.rows} activity rows per run; grouped SQL and baseline ` +
        (diff.length
          ? `DISAGREE on ${diff.length} numbers`
          : `agree on every number of all ${units.length} units`) +
        `; speed-up ${(naive.median / grouped.median).toFixed(1)}×.`,
      `- Per-unit query uses \`${INDEX}\`: ${usesIndex ? 'yes' : 'NO'}. Plan (EXPLAIN ANALYZE):`,
      '',
      '```',
      plan,
      '```',
      '',
      ...httpLines(http, loadBefore, loadAfterHttp),
      ...loadLines(load, loadAfterHttp),
      ...monthlyLines(monthly),
      ...packLines(pack),
      ...integrityLines(integrity),
      ...(problems.length ? ['', ...problems.map((p) => `- **Problem:** ${p}`), ''] : []),
    ];
    if (!existsSync(RESULTS))
      writeFileSync(
        RESULTS,
        '# Compliance benchmark results\n\nAppended by `npm run bench` (test/perf/bench.ts).\n',
      );
    appendFileSync(RESULTS, lines.join('\n'));
    log(`results appended to ${RESULTS}`);
  } finally {
    await orm?.close();
    if (process.env.BENCH_KEEP === '1') {
      log(`kept database ${name} (BENCH_KEEP=1)`);
    } else {
      const drop = await MikroORM.init({ ...ormOptions(`${PG}/postgres`, dataDir), migrations: {} });
      await drop.schema.dropDatabase(name);
      await drop.close();
      rmSync(dataDir, { recursive: true, force: true });
      log(`dropped ${name}`);
    }
  }
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
