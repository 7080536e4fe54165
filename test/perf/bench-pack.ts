/*
 * The benchmark's acceptance-pack step (see bench.ts, opt-in with BENCH_PACK=1): one unit is given
 * BENCH_PACK_MB of evidence (files of BENCH_PACK_FILE_MB, random bytes written straight into the app's
 * evidence store with their rows, as uploads leave them), the built app is started on the database
 * (ROLE=web, its own DATA_DIR), and the unit's user downloads GET /api/v1/units/:id/acceptance-pack.
 * The app's resident memory is read from /proc/<pid>/status every 20 ms: the baseline is the figure
 * after start-up and one small pack (modules loaded, caches warm), the peak the highest while the big
 * pack streams (and VmHWM, the kernel's own peak, reset through clear_refs when allowed).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from '@mikro-orm/knex';
import { type BenchUsers, signIn, startApp } from './bench-app';

export interface PackFigures {
  files: number;
  evidence_mb: number;
  zip_mb: number;
  seconds: number;
  mb_per_s: number;
  /** RSS of the app after start-up and a warm-up pack. */
  baseline_rss_mb: number;
  /** Highest RSS sampled while the big pack streamed, and that minus the baseline. */
  peak_rss_mb: number;
  peak_over_baseline_mb: number;
  /** The kernel's peak (VmHWM) over the download, when clear_refs could reset it; else null. */
  hwm_mb: number | null;
}

function log(msg: string) {
  process.stdout.write(`[bench] ${msg}\n`);
}

/** VmRSS and VmHWM of a process, in MiB. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Resets the process's VmHWM to its current RSS (Linux `clear_refs` 5); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Writes `bytes` random bytes to `path` in 1 MiB chunks; returns the SHA-256. */
function randomFile(path: string, bytes: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0;) {
      const chunk = randomBytes(Math.min(left, 1 << 20));
      hash.update(chunk);
      writeSync(fd, chunk);
      left -= chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Downloads the pack, counting bytes; returns its length and the seconds it took. */
async function download(base: string, token: string, unitId: number, problems: string[]) {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v1/units/${unitId}/acceptance-pack`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200 || !res.body) {
    problems.push(`acceptance pack: HTTP ${res.status} ${await res.text()}`);
    return { bytes: 0, seconds: 0 };
  }
  const declared = Number(res.headers.get('content-length'));
  let bytes = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  if (bytes !== declared)
    problems.push(`acceptance pack: ${bytes} bytes received, Content-Length ${declared}`);
  return { bytes, seconds: (performance.now() - t0) / 1000 };
}

export async function packBench(
  knex: Knex,
  databaseUrl: string,
  users: BenchUsers,
  totalMb: number,
  fileMb: number,
  problems: string[],
): Promise<PackFigures> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'bench-pack-'));
  const store = join(dataDir, 'evidence');
  mkdirSync(store, { recursive: true });
  try {
    const activities = (
      await knex('activities')
        .select('id')
        .where({ unit_id: users.unitId })
        .whereNull('deleted_at')
        .orderBy('id')
        .limit(50)
    ).map((r: { id: number }) => Number(r.id));
    if (!activities.length) throw new Error(`unit ${users.unitId} has no activities to attach evidence to`);
    const fileBytes = Math.round(fileMb * 1024 * 1024);
    const count = Math.max(1, Math.round((totalMb * 1024 * 1024) / fileBytes));
    const rows = [];
    for (let i = 0; i < count; i++) {
      const storedName = randomBytes(16).toString('hex');
      const sha256 = randomFile(join(store, storedName), fileBytes);
      rows.push({
        created_at: new Date(),
        updated_at: new Date(),
        activity_id: activities[i % activities.length],
        original_name: `证明材料-${String(i + 1).padStart(3, '0')}.pdf`,
        stored_name: storedName,
        mime_type: 'application/pdf',
        size: fileBytes,
        sha256,
      });
    }
    await knex('evidence_files').insert(rows);
    log(
      `pack: ${count} evidence files of ${fileMb} MiB on unit ${users.unitId} (${activities.length} activities)`,
    );

    const app = await startApp(databaseUrl, dataDir);
    try {
      const token = await signIn(app.base, users.unitUser, users.password);
      // Warm-up: a pack of another unit with no evidence files loads the document libraries.
      const other = await knex('units').select('id').whereNot({ id: users.unitId }).first();
      const admin = await signIn(app.base, users.admin, users.password);
      if (other) await download(app.base, admin, Number(other.id), problems);
      await new Promise((r) => setTimeout(r, 1000));
      const baseline = memory(app.pid).rss;
      const hwmReset = resetPeak(app.pid);
      let peak = baseline;
      const sampler = setInterval(() => {
        try {
          peak = Math.max(peak, memory(app.pid).rss);
        } catch {
          // the process is gone; the download reports it
        }
      }, 20);
      const result = await download(app.base, token, users.unitId, problems);
      clearInterval(sampler);
      const after = memory(app.pid);
      peak = Math.max(peak, after.rss);
      const figures: PackFigures = {
        files: count,
        evidence_mb: Math.round((count * fileBytes) / 1024 / 1024),
        zip_mb: Math.round((result.bytes / 1024 / 1024) * 10) / 10,
        seconds: Math.round(result.seconds * 100) / 100,
        mb_per_s: result.seconds ? Math.round(result.bytes / 1024 / 1024 / result.seconds) : 0,
        baseline_rss_mb: Math.round(baseline),
        peak_rss_mb: Math.round(peak),
        peak_over_baseline_mb: Math.round(peak - baseline),
        hwm_mb: hwmReset ? Math.round(after.hwm) : null,
      };
      log(
        `pack: ${figures.zip_mb} MiB in ${figures.seconds} s (${figures.mb_per_s} MiB/s); RSS baseline ` +
          `${figures.baseline_rss_mb} MiB, peak ${figures.peak_rss_mb} MiB (+${figures.peak_over_baseline_mb})` +
          (figures.hwm_mb === null ? '' : `, VmHWM ${figures.hwm_mb} MiB`),
      );
      if (app.errors()) problems.push(`acceptance pack: the app wrote errors: ${app.errors().slice(0, 500)}`);
      return figures;
    } finally {
      await app.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function packLines(p: PackFigures | null): string[] {
  if (!p) return ['- Acceptance pack: skipped (set BENCH_PACK=1)', ''];
  return [
    `- Acceptance pack (GET /api/v1/units/:id/acceptance-pack, built app, unit user): ${p.files} evidence files, ` +
      `${p.evidence_mb} MiB of evidence, zip ${p.zip_mb} MiB streamed in ${p.seconds} s (${p.mb_per_s} MiB/s); ` +
      `app RSS baseline ${p.baseline_rss_mb} MiB, peak while streaming ${p.peak_rss_mb} MiB ` +
      `(+${p.peak_over_baseline_mb} MiB)` +
      (p.hwm_mb === null ? '' : `, VmHWM over the download ${p.hwm_mb} MiB`),
    '',
  ];
}
