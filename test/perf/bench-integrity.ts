/*
 * Duplicate-claim matching cost per submission (bench.ts step 6, last, so it changes nothing the other
 * steps measure). On the filled database it gives the activities what they claim, as set-based SQL in the
 * same normalised form the application computes: one evidence file each (1% share a file with another
 * activity), media URLs (each URL reported twice), trained persons (per-unit identity keys, 1% shared
 * with another unit), events (random titles, so same-date events are not near-identical). It fills
 * claim_fingerprints to match, then times IntegrityService.check — what a submission runs in its own
 * transaction: refresh the activity's fingerprints, look up every other claim of the same things, record
 * the matches — for BENCH_INTEGRITY_SUBMISSIONS random live claims, and keeps EXPLAIN ANALYZE of the
 * lookup as proof that it is an index lookup on (reason, key).
 */
import { performance } from 'node:perf_hooks';
import type { MikroORM } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { ClaimMatch } from '@app/db';
import { AuditService } from '../../apps/tracker/src/audit/audit.service';
import { IntegrityService } from '../../apps/tracker/src/integrity/integrity.service';
import { RuleSetsService } from '../../apps/tracker/src/rule-sets/rule-sets.service';

export const INTEGRITY_INDEX = 'claim_fingerprints_reason_key_index';

export interface IntegrityFigures {
  submissions: number;
  fingerprints: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  matches_found: number;
  fill_s: number;
  uses_index: boolean;
}

const sha = (expr: string) => `encode(sha256(convert_to(${expr}, 'UTF8')), 'hex')`;

export async function integrityBench(
  orm: MikroORM,
  knex: Knex,
  submissions: number,
  log: (m: string) => void,
): Promise<{ figures: IntegrityFigures; plan: string }> {
  let t0 = performance.now();
  const live = `deleted_at is null`;
  await knex.raw(`update activities set url = 'https://news.example.cn/a/' || (id / 2)
    where requirement = 'media_reports' and ${live}`);
  await knex.raw(`update activities set person_key = case when id % 100 = 0 then 'P-SHARED-' || (id / 100 % 500)
      else 'P-' || unit_id || '-' || (id % 40) end
    where requirement = 'trained_personnel' and ${live}`);
  await knex.raw(`update activities set location = '会场', title = md5(id::text)
    where requirement = 'exchange_events' and ${live}`);
  await knex.raw(`insert into evidence_files (created_at, updated_at, activity_id, original_name, stored_name,
      mime_type, size, sha256)
    select now(), now(), id, 'x.pdf', md5(id::text), 'application/pdf', 1000,
      ${sha(`'f-' || case when id % 100 = 0 then (id / 100)::text else id::text end`)}
    from activities where ${live}`);
  // The same keys IntegrityService.fingerprintsOf computes (claim-keys.ts): the URL without its scheme,
  // the identity key in upper case, the event's date and normalised title. Persons: the calendar year.
  await knex.raw(`insert into claim_fingerprints (activity_id, unit_id, reason, key, title, period_start, period_end)
    select a.id, a.unit_id, 'evidence', f.sha256, null::text, null::date, null::date
      from activities a join evidence_files f on f.activity_id = a.id where a.${live}
    union all
    select id, unit_id, 'url', ${sha(`'news.example.cn/a/' || (id / 2)`)}, null, null::date, null::date
      from activities where requirement = 'media_reports' and ${live}
    union all
    select id, unit_id, 'person', ${sha('upper(person_key)')}, null,
           date_trunc('year', date::date)::date, (date_trunc('year', date::date) + interval '1 year - 1 day')::date
      from activities where requirement = 'trained_personnel' and ${live}
    union all
    select id, unit_id, 'event', ${sha('date::text')}, md5(id::text), null::date, null::date
      from activities where requirement = 'exchange_events' and ${live}`);
  await knex.raw('vacuum analyze claim_fingerprints');
  await knex.raw('vacuum analyze evidence_files');
  await knex.raw('vacuum analyze activities');
  const fingerprints = Number((await knex.raw('select count(*) as n from claim_fingerprints')).rows[0].n);
  const fill_s = (performance.now() - t0) / 1000;
  log(`integrity: ${fingerprints} fingerprints filled in ${fill_s.toFixed(1)} s`);

  const picked: number[] = (
    await knex.raw(
      `select id from activities where ${live} and status <> 'draft' order by random() limit ${submissions}`,
    )
  ).rows.map((r: { id: number }) => Number(r.id));
  const em = orm.em.fork();
  const service = new IntegrityService(em, new AuditService(em), new RuleSetsService());
  // Warm-up (not counted): the first submissions also pay for connections and plans.
  for (const id of picked.slice(0, 5)) await em.fork().transactional((tx) => service.check(tx, id));
  const ms: number[] = [];
  let matches = 0;
  for (const id of picked) {
    const fork = em.fork();
    t0 = performance.now();
    matches += await fork.transactional((tx) => service.check(tx, id));
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  const stored = await em.fork().count(ClaimMatch, {});

  // One URL claim and one evidence claim: the plan of the lookup on the filled table.
  const sample = Number(
    (
      await knex.raw(`select activity_id from claim_fingerprints where reason = 'url'
        and activity_id in (select id from activities where status <> 'draft' and ${live}) limit 1`)
    ).rows[0]?.activity_id ?? picked[0],
  );
  const q = IntegrityService.lookupQuery([sample], true);
  const explain = await knex.raw(
    `explain (analyze, costs off, timing off, summary off) ${q.sql}`,
    q.params as never,
  );
  const plan = explain.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  const uses_index = plan.includes(INTEGRITY_INDEX);
  const figures: IntegrityFigures = {
    submissions: ms.length,
    fingerprints,
    p50_ms: round(at(0.5)),
    p99_ms: round(at(0.99)),
    max_ms: round(ms.at(-1) ?? 0),
    matches_found: matches,
    fill_s: round(fill_s),
    uses_index,
  };
  log(
    `integrity: ${ms.length} submissions, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms; ` +
      `${matches} matches found (${stored} stored); lookup uses ${INTEGRITY_INDEX}: ${uses_index}`,
  );
  return { figures, plan };
}

export function integrityLines(r: { figures: IntegrityFigures; plan: string } | null): string[] {
  if (!r) return [];
  const f = r.figures;
  return [
    '',
    `### Duplicate claims: matching per submission`,
    '',
    `- ${f.fingerprints} claim fingerprints (filled in ${f.fill_s} s); ${f.submissions} submissions' ` +
      `IntegrityService.check (refresh fingerprints, look up, record matches), each in its own transaction: ` +
      `p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms, max ${f.max_ms} ms; ${f.matches_found} matches found.`,
    `- The lookup uses \`${INTEGRITY_INDEX}\`: ${f.uses_index ? 'yes' : 'NO'}. Plan (EXPLAIN ANALYZE):`,
    '',
    '```',
    r.plan,
    '```',
    '',
  ];
}

const round = (x: number) => Math.round(x * 100) / 100;
