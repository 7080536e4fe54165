/*
 * The monthly run at a medium size on PostgreSQL (issue 8, item 4): creates a database, fills it through
 * SQL, then times the real CLI, `node dist/apps/tracker/src/cli.js reports:run --period 2026-05` (file
 * transport), under /usr/bin/time -v: wall time, CPU time and peak RSS of the whole process (worker
 * threads included).
 *
 *   npm run build && node dist/test/perf/monthly-run.js
 *   MONTHLY_UNITS=2000 MONTHLY_ACTIVITIES_PER_UNIT=200 MONTHLY_CONTACTS=1 MONTHLY_ADMIN_DIGEST=true \
 *     node dist/test/perf/monthly-run.js
 *   MONTHLY_PG_URL=postgresql://user@host:5432 (default postgresql://postgres@127.0.0.1:5432)
 *
 * The fill follows the benchmark's (test/perf/bench.ts): five cohorts of two-year cycles, one of which ended
 * before the month (so 80 % of the units are reported), 60 % verified, 15 % submitted, 15 % draft, 10 %
 * rejected, 3 % deleted; every unit has one to MONTHLY_CONTACTS (default 3) contacts (every fourth second
 * contact reads English) and each province an active supervisor. The database is dropped afterwards unless
 * MONTHLY_KEEP=1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex } from '@mikro-orm/knex';
import { PROVINCE_CODES } from '@app/compliance';
import { INSTALL_ROOT } from '@app/common';
import { ormOptions } from '@app/db';

const UNITS = Number(process.env.MONTHLY_UNITS ?? 2_000);
const PER_UNIT = Number(process.env.MONTHLY_ACTIVITIES_PER_UNIT ?? 200);
/** Contacts per unit: unit g has 1 + g mod CONTACTS of them (1 to 3 by default; 1 as in the benchmark). */
const CONTACTS = Math.max(1, Number(process.env.MONTHLY_CONTACTS ?? 3));
const PERIOD = process.env.MONTHLY_PERIOD ?? '2026-05';
const ADMIN_DIGEST = process.env.MONTHLY_ADMIN_DIGEST === 'true';
const PG = process.env.MONTHLY_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';
/** Activities are dated up to the month's last day. */
const LAST_DAY = '2026-05-31';
const ROOT = INSTALL_ROOT;
const COHORTS = ['2023-07-01', '2024-07-01', '2025-01-01', '2025-07-01', '2026-01-01'];

function log(msg: string) {
  process.stdout.write(`[monthly] ${msg}\n`);
}

async function fill(knex: Knex) {
  const provinces = `array[${PROVINCE_CODES.map((c) => `'${c}'`).join(',')}]`;
  const cohorts = `array[${COHORTS.map((c) => `'${c}'`).join(',')}]`;
  // Dates are produced as `date` and assigned to the columns, whatever their type (varchar or date).
  await knex.raw(`
    insert into units (created_at, updated_at, name, credit_code, province, industry, kind, program,
                       rule_set_version, cycle_start, cycle_end, contacts, status)
    select now(), now(), '示范单位' || lpad(g::text, 6, '0'), lpad(g::text, 18, '0'),
           (${provinces})[1 + g % ${PROVINCE_CODES.length}],
           (array['现代物流','旅游','养老服务','电子商务'])[1 + g % 4],
           case when g % 5 = 0 then 'regional' else 'enterprise' end,
           case when g % 10 = 0 then 'social-management-pilot' else 'service-industry-demo' end, 1,
           c.cs, (c.cs + interval '2 years' - interval '1 day')::date,
           (select jsonb_agg(jsonb_build_object('name', '联系人' || k, 'email', 'unit' || g || '-' || k || '@bench.example.com',
                                                'locale', case when k = 2 and g % 4 = 0 then 'en' else 'zh' end))
              from generate_series(1, 1 + g % ${CONTACTS}) k),
           'active'
    from generate_series(1, ${UNITS}) g
    cross join lateral (select ((${cohorts})[1 + (g / 10) % ${COHORTS.length}])::date as cs) c`);
  const total = UNITS * PER_UNIT;
  for (let from = 1; from <= total; from += 500_000) {
    const to = Math.min(total, from + 499_999);
    await knex.raw(`
      insert into activities (created_at, updated_at, unit_id, requirement, date, title, status, deleted_at,
                              submitted_at, reviewed_at, reject_reason,
                              standard_level, standard_kind, journal_level, outlet_level, person_key, journal)
      select now(), now(), u.id,
             (array['exchange_events','standard_proposals','national_papers','trained_personnel',
                    'work_updates','media_reports'])[1 + floor(random() * 6)::int],
             d.day, '活动 ' || g,
             s.status,
             case when random() < 0.03 then now() end,
             case when s.status <> 'draft' then d.day + interval '10 hours' end,
             case when s.status in ('verified', 'rejected') then d.day + interval '3 days' end,
             case when s.status = 'rejected' then '证明材料不完整' end,
             (array['international','national','industry','local','group','enterprise'])[1 + floor(random() * 6)::int],
             (array['proposal','implementation_report'])[1 + floor(random() * 2)::int],
             (array['national','provincial','other'])[1 + floor(random() * 3)::int],
             (array['national','provincial','municipal','other'])[1 + floor(random() * 4)::int],
             'ID-' || floor(random() * 40)::int, '标准化研究'
      from generate_series(${from}, ${to}) g
      join units u on u.id = 1 + (g % ${UNITS})
      cross join lateral (select u.cycle_start::date
                          + floor(random() * (least(u.cycle_end::date, '${LAST_DAY}'::date) - u.cycle_start::date + 1))::int
                          as day) d
      cross join lateral (select case when r < 0.60 then 'verified' when r < 0.75 then 'submitted'
                                      when r < 0.90 then 'draft' else 'rejected' end as status
                          from (select random() + g * 0 as r) x) s`);
    log(`activities: ${to} / ${total}`);
  }
  await knex.raw(`
    insert into users (created_at, updated_at, email, name, password_hash, role, provinces, locale, active)
    select now(), now(), 'supervisor-' || p || '@bench.example.com', '监管' || p, 'not-a-hash', 'supervisor',
           jsonb_build_array(p), 'zh', true
    from unnest(${provinces}) p`);
  await knex.raw(`
    insert into users (created_at, updated_at, email, name, password_hash, role, provinces, locale, active)
    values (now(), now(), 'admin@bench.example.com', '管理员', 'not-a-hash', 'admin', '[]'::jsonb, 'zh', true)`);
  await knex.raw('vacuum analyze units');
  await knex.raw('vacuum analyze activities');
}

/**
 * CPU seconds the local PostgreSQL server's finished backends used so far (the postmaster's reaped
 * children, /proc/<pid>/stat cutime + cstime), or null when the server is not on this machine.
 */
async function serverCpu(knex: Knex): Promise<number | null> {
  try {
    const pid = Number((await knex.raw('select pg_backend_pid() as pid')).rows[0].pid);
    const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    const fields = readFileSync(`/proc/${ppid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 16 and 17 of stat (cutime, cstime), counted from the state (field 3) on.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** Seconds of an `h:mm:ss` or `m:ss.cc` duration. */
function seconds(s: string): number {
  return s
    .split(':')
    .map(Number)
    .reduce((a, b) => a * 60 + b, 0);
}

async function main() {
  const name = `monthly_${Date.now()}`;
  const dataDir = mkdtempSync(join(os.tmpdir(), 'monthly-'));
  const admin = await MikroORM.init({ ...ormOptions(`${PG}/${name}`, dataDir), migrations: {} });
  await admin.schema.ensureDatabase({ create: true });
  await admin.close();
  log(`database ${name}, data in ${dataDir}`);
  let orm: MikroORM | undefined;
  try {
    orm = await MikroORM.init(ormOptions(`${PG}/${name}`, dataDir));
    await orm.getMigrator().up();
    const knex = (orm.em.getConnection() as AbstractSqlConnection).getKnex();
    const t0 = Date.now();
    await fill(knex);
    const [counts] = (
      await knex.raw(`select (select count(*) from units) as units, (select count(*) from activities) as activities,
        (select count(*) from units where cycle_start <= '${PERIOD}-31' and cycle_end >= '${PERIOD}-01') as reported`)
    ).rows;
    log(
      `filled in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${counts.units} units (${counts.reported} reported), ` +
        `${counts.activities} activities`,
    );

    const load = os.loadavg();
    const pgBefore = await serverCpu(knex);
    const run = spawnSync(
      '/usr/bin/time',
      ['-v', process.execPath, join(ROOT, 'dist/apps/tracker/src/cli.js'), 'reports:run', '--period', PERIOD],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
        env: {
          ...process.env,
          DATABASE_URL: `${PG}/${name}`,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'error',
          REPORT_ADMIN_DIGEST: ADMIN_DIGEST ? 'true' : 'false',
          SMTP_URL: '',
        },
      },
    );
    // The CLI's connections have closed; give the server a moment to reap their backends.
    await new Promise((r) => setTimeout(r, 1000));
    const pgAfter = await serverCpu(knex);
    await orm.close();
    orm = undefined;
    const err = run.stderr ?? '';
    const field = (label: string) => new RegExp(`${label}: (.+)`).exec(err)?.[1].trim() ?? '';
    process.stdout.write(run.stdout ?? '');
    if (run.status !== 0) process.stdout.write(err.slice(-4000));
    const mailDir = join(dataDir, 'mail');
    const files = readdirSync(mailDir);
    const bytes = files.reduce((n, f) => n + statSync(join(mailDir, f)).size, 0);
    const wall = seconds(field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)'));
    const cpu = Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)'));
    const rss = Number(field('Maximum resident set size \\(kbytes\\)')) / 1024;
    const digests = files.filter((f) => f.startsWith('supervisor_digest')).length;
    log(
      `reports:run ${PERIOD}: exit ${run.status}, ${files.length} mails (${digests} digests, ` +
        `${(bytes / 2 ** 20).toFixed(1)} MiB), wall ${wall.toFixed(1)} s, CPU ${cpu.toFixed(1)} s ` +
        `(PostgreSQL server: ${pgBefore === null || pgAfter === null ? '?' : (pgAfter - pgBefore).toFixed(1)} s), ` +
        `peak RSS ${rss.toFixed(0)} MiB; load average before ${load.map((x) => x.toFixed(2)).join(' ')}, ` +
        `after ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}; ${os.availableParallelism()} cores`,
    );
    if (run.status !== 0) process.exitCode = 1;
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    await orm?.close();
    if (process.env.MONTHLY_KEEP === '1') {
      log(`kept database ${name} and ${dataDir} (MONTHLY_KEEP=1)`);
    } else {
      const drop = await MikroORM.init({ ...ormOptions(`${PG}/postgres`, dataDir), migrations: {} });
      await drop.schema.dropDatabase(name);
      await drop.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
