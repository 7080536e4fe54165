import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type Knex, knex } from '@mikro-orm/knex';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Env } from '@app/common';
import { dialectOf } from '@app/db';
import { MailTransport } from '@app/mail';

/** Longest a readiness check waits for the database: well below a load balancer's probe timeout. */
export const PROBE_TIMEOUT_MS = 3000;

/**
 * The readiness checks. The database is reached through a connection of the probe's own, never the
 * request pool: a busy pool (every connection taken, requests answered 503 until one frees) is load,
 * not a fault, and must not make a load balancer pull a working instance. PostgreSQL: one kept
 * connection (a pool of size 1); SQLite: the file opened read-only for each check.
 */
@Injectable()
export class ReadinessProbe implements OnApplicationShutdown {
  private pg?: Knex;
  private readonly logger = new Logger('Health');

  constructor(
    private readonly orm: MikroORM,
    private readonly env: Env,
    private readonly mail: MailTransport,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Database reachable, and every migration of this version applied. */
  async database(): Promise<HealthIndicatorResult[]> {
    const db = this.indicators.check('database');
    const migrations = this.indicators.check('migrations');
    let applied: string[];
    try {
      applied = await this.withConnection(async (k) => {
        await k.raw('select 1');
        const rows = (await k.select('name').from(this.migrationsTable())) as { name: string }[];
        return rows.map((r) => stripExtension(r.name));
      });
    } catch (e) {
      const message = `database unreachable: ${(e as Error).message}`.slice(0, 300);
      return [db.down({ message }), migrations.down({ message: 'not checked: database unreachable' })];
    }
    const done = new Set(applied);
    const pending = this.expectedMigrations().filter((m) => !done.has(m));
    return [
      db.up(),
      pending.length
        ? migrations.down({ message: `${pending.length} pending: ${pending.join(', ')}`, pending })
        : migrations.up({ applied: applied.length }),
    ];
  }

  /** The configured transport; for the file transport, that its folder is writable (no SMTP round trip). */
  async mailTransport(): Promise<HealthIndicatorResult> {
    const mail = this.indicators.check('mail');
    if (this.mail.kind === 'smtp') return mail.up({ transport: 'smtp' });
    try {
      await mkdir(this.mail.mailDir, { recursive: true });
      await access(this.mail.mailDir, constants.W_OK);
      return mail.up({ transport: 'file' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      return mail.down({ transport: 'file', message: `DATA_DIR/mail is not writable (${code})` });
    }
  }

  private async withConnection<T>(fn: (k: Knex) => Promise<T>): Promise<T> {
    if (dialectOf(this.env.DATABASE_URL) === 'postgresql') {
      this.pg ??= knex({
        client: 'pg',
        connection: {
          connectionString: this.orm.config.get('clientUrl'),
          connectionTimeoutMillis: PROBE_TIMEOUT_MS,
          statement_timeout: PROBE_TIMEOUT_MS,
        } as Knex.PgConnectionConfig,
        pool: { min: 0, max: 1, acquireTimeoutMillis: PROBE_TIMEOUT_MS, idleTimeoutMillis: 60_000 },
        // knex's own warnings (a dropped connection) go to the service's log, not the console.
        log: {
          warn: (m: unknown) => this.logger.warn(String(m)),
          error: (m: unknown) => this.logger.error(String(m)),
        },
      });
      return withTimeout(fn(this.pg));
    }
    // A fresh read-only handle each time (read-only: a missing file is an error, not created): a removed
    // or replaced file is noticed (the service's own
    // connection would go on reading the removed one).
    const file = this.orm.config.get('dbName')!;
    const sqlite = knex({
      client: 'better-sqlite3',
      connection: { filename: file, options: { readonly: true } },
      useNullAsDefault: true,
      pool: { min: 0, max: 1 },
    });
    try {
      return await withTimeout(fn(sqlite));
    } finally {
      await sqlite.destroy();
    }
  }

  private migrationsTable(): string {
    return this.orm.config.get('migrations').tableName ?? 'mikro_orm_migrations';
  }

  private expectedMigrations(): string[] {
    return (this.orm.config.get('migrations').migrationsList ?? []).map((m) => stripExtension(m.name));
  }

  async onApplicationShutdown() {
    await this.pg?.destroy();
  }
}

const stripExtension = (name: string) => name.replace(/\.[cm]?[jt]s$/, '');

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
