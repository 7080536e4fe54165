/**
 * Developer tool: writes the next migration for both dialects from the difference between the entities
 * and a freshly migrated database, then rewrites each dialect's index.ts.
 *   npm run build && node dist/libs/db/src/migrations/create-migration.js
 * Needs the local PostgreSQL (127.0.0.1:5432, trust auth).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { MikroORM } from '@mikro-orm/core';
import { INSTALL_ROOT } from '@app/common';
import { ormOptions } from '../orm.config';

const SOURCE_DIR = join(INSTALL_ROOT, 'libs', 'db', 'src', 'migrations');

async function createFor(dialect: 'postgresql' | 'sqlite', url: string) {
  const dir = join(SOURCE_DIR, dialect);
  const base = ormOptions(url, tmpdir());
  const orm = await MikroORM.init({
    ...base,
    migrations: { ...base.migrations, path: dir, emit: 'ts', fileName: (ts: string) => `Migration${ts}` },
  });
  try {
    await orm.getMigrator().up();
    const result = await orm.getMigrator().createMigration(dir);
    console.log(`${dialect}: ${result.fileName || 'no changes'}`);
  } finally {
    await orm.close();
  }
  const names = readdirSync(dir)
    .filter((f) => /^Migration\d+\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  const constName = dialect === 'postgresql' ? 'POSTGRESQL_MIGRATIONS' : 'SQLITE_MIGRATIONS';
  writeFileSync(
    join(dir, 'index.ts'),
    [
      "import type { MigrationObject } from '@mikro-orm/core';",
      ...names.map((n) => `import { ${n} } from './${n}';`),
      '',
      `export const ${constName}: MigrationObject[] = [`,
      ...names.map((n) => `  { name: '${n}', class: ${n} },`),
      '];',
      '',
    ].join('\n'),
  );
}

async function main() {
  const db = `migration_gen_${Date.now()}`;
  const url = `postgresql://postgres@127.0.0.1:5432/${db}`;
  const admin = await MikroORM.init({ ...ormOptions(url, tmpdir()), migrations: {} });
  await admin.schema.ensureDatabase({ create: true });
  try {
    await createFor('postgresql', url);
    await createFor('sqlite', `sqlite:${join(tmpdir(), db + '.sqlite')}`);
  } finally {
    await admin.schema.dropDatabase(db);
    await admin.close();
  }
}

void main();
