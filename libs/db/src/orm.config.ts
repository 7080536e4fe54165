import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';
import { AuditChainSubscriber } from './audit-chain';
import { POSTGRESQL_MIGRATIONS } from './migrations/postgresql';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

export type Dialect = 'postgresql' | 'sqlite';

export function dialectOf(databaseUrl?: string): Dialect {
  return databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgresql' : 'sqlite';
}

/** PostgreSQL connection pool (DATABASE_POOL_SIZE, DATABASE_POOL_TIMEOUT_MS). */
export interface PoolSettings {
  /** Most connections per instance; default 10. */
  size?: number;
  /** Longest wait for a free connection before knex throws KnexTimeoutError; default 5000 ms. */
  acquireTimeoutMs?: number;
}

/**
 * MikroORM options for the configured database. Migrations are listed in code (not discovered on disk),
 * so the compiled service, the CLI and the tests run exactly the same set.
 */
export function ormOptions(
  databaseUrl: string | undefined,
  dataDir: string,
  debug = false,
  pool: PoolSettings = {},
): Options {
  const dialect = dialectOf(databaseUrl);
  const common = {
    entities: ENTITIES,
    // Chains every audit entry as it is inserted, whichever code created it (see audit-chain.ts).
    subscribers: [new AuditChainSubscriber()],
    debug,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    extensions: [Migrator],
  };
  if (dialect === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: databaseUrl,
      // A bounded wait: a request that cannot get a connection in time fails fast (503, see ErrorFilter)
      // instead of queueing for knex's default 60 s. min 0 as knex advises: idle connections close.
      pool: {
        min: 0,
        max: pool.size ?? 10,
        acquireTimeoutMillis: pool.acquireTimeoutMs ?? 5000,
      },
      migrations: {
        migrationsList: POSTGRESQL_MIGRATIONS,
        transactional: true,
        allOrNothing: true,
        silent: true,
      },
    } as Options;
  }
  const file = databaseUrl?.startsWith('sqlite:')
    ? databaseUrl.slice('sqlite:'.length)
    : join(resolve(dataDir), 'tracker.sqlite');
  if (file !== ':memory:') mkdirSync(resolve(file, '..'), { recursive: true });
  return {
    ...common,
    driver: BetterSqliteDriver,
    dbName: file,
    migrations: { migrationsList: SQLITE_MIGRATIONS, transactional: true, allOrNothing: true, silent: true },
  } as Options;
}
