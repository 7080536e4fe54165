#!/usr/bin/env node
// Builds the service (`nest build tracker`) only when what it is compiled from changed since the last
// successful build: `npm start`, `npm run cli` and `npm run bench` then start in a second instead of
// rebuilding for a minute each time. A fresh clone (no dist/) builds. `--always` builds regardless
// (`npm run build`). Templates, browser files and config/ are read from the sources at run time, so
// changing them needs no build.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** Written into dist/ after a successful build: the fingerprint of the sources it was built from. */
const STAMP = join('dist', '.build-stamp');
/** What a build must leave behind. */
const OUTPUTS = [
  join('dist', 'apps', 'tracker', 'src', 'main.js'),
  join('dist', 'apps', 'tracker', 'src', 'cli.js'),
];
/** What tsconfig.build.json compiles (tests other than the benchmark are run from the sources). */
const SOURCE_DIRS = ['apps', 'libs', join('test', 'perf')];
const TEST_FILE = /\.(spec|e2e-spec)\.ts$/;

/** Paths, sizes and modification times of every build input: any edit, new or removed file changes it. */
function fingerprint(root) {
  const entries = [];
  const add = (rel) => {
    const st = statSync(join(root, rel));
    entries.push(`${rel}\t${st.size}\t${st.mtimeMs}`);
  };
  for (const name of readdirSync(root)) {
    if (/^tsconfig.*\.json$/.test(name) || name === 'nest-cli.json' || name === 'package-lock.json')
      add(name);
  }
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(path);
      } else if (e.name.endsWith('.ts') && !TEST_FILE.test(e.name)) add(path);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) walk(dir);
  entries.sort();
  return createHash('sha256').update(entries.join('\n')).digest('hex');
}

/** Whether `root` needs a build, and why. */
function decide(root) {
  const current = fingerprint(root);
  if (!OUTPUTS.every((f) => existsSync(join(root, f))) || !existsSync(join(root, STAMP))) {
    return { build: true, reason: 'no previous build', fingerprint: current };
  }
  const built = readFileSync(join(root, STAMP), 'utf8').trim();
  return built === current
    ? { build: false, reason: 'sources unchanged since the last build', fingerprint: current }
    : { build: true, reason: 'sources changed since the last build', fingerprint: current };
}

function nestBuild(root) {
  const nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] });
  return spawnSync(process.execPath, [nest, 'build', 'tracker'], { cwd: root, stdio: 'inherit' }).status ?? 1;
}

/** Builds when needed; the stamp is written only after a build that succeeded and left its outputs. */
function run(root, { always = false, build = nestBuild, say = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const d = decide(root);
  if (!always && !d.build) {
    say(`Build skipped: ${d.reason}.`);
    return 0;
  }
  say(always ? 'Building.' : `Building: ${d.reason}.`);
  const status = build(root);
  if (status !== 0) return status;
  if (!OUTPUTS.every((f) => existsSync(join(root, f)))) {
    say(`Build left no ${OUTPUTS.join(' and ')}.`);
    return 1;
  }
  // The sources as they were when the build started: an edit made meanwhile triggers the next one.
  writeFileSync(join(root, STAMP), `${d.fingerprint}\n`);
  return 0;
}

module.exports = { decide, fingerprint, run, STAMP, OUTPUTS };

if (require.main === module) {
  process.exitCode = run(join(__dirname, '..'), { always: process.argv.includes('--always') });
}
