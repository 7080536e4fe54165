// Runs every test suite on the embedded SQLite, then again on PostgreSQL (127.0.0.1:5432, trust auth).
// Extra arguments go to Jest, e.g. `npm test -- test/e2e/auth`.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const dbs = (process.env.TEST_DBS ?? 'sqlite,postgresql').split(',');
for (const db of dbs) {
  console.log(`\n=== tests on ${db} ===\n`);
  const r = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', './node_modules/jest/bin/jest.js', '--maxWorkers=2', ...args],
    { stdio: 'inherit', env: { ...process.env, TEST_DB: db } },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
