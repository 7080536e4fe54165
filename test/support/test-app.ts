import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MikroORM } from '@mikro-orm/core';
import request from 'supertest';
import { AppModule } from '../../apps/tracker/src/app.module';
import { configureApp } from '../../apps/tracker/src/setup';
import { ormOptions } from '@app/db';
import type { IsoDate } from '@app/compliance';
import { Clock, FixedClock } from '../../apps/tracker/src/common/clock';
import { LOG_DESTINATION } from '../../apps/tracker/src/observability/logging';

/** Which database this Jest run targets: `TEST_DB=postgresql` or the embedded SQLite (default). */
export const TEST_DB = process.env.TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite';
const PG_BASE = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';

export const ADMIN = { email: 'admin@test.gov.cn', password: 'admin-password-1' };

/** A fresh, empty database of the current dialect; each test file gets its own. */
export async function freshDatabase(): Promise<{ url: string; dataDir: string; drop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracker-test-'));
  if (TEST_DB === 'sqlite') {
    return {
      url: `sqlite:${join(dataDir, 'test.sqlite')}`,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const url = `${PG_BASE}/${name}`;
  const admin = await MikroORM.init({ ...ormOptions(url, dataDir), migrations: {} });
  await admin.schema.ensureDatabase({ create: true });
  await admin.close();
  return {
    url,
    dataDir,
    drop: async () => {
      const orm = await MikroORM.init({ ...ormOptions(`${PG_BASE}/postgres`, dataDir), migrations: {} });
      await orm.schema.dropDatabase(name);
      await orm.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  orm: MikroORM;
  dataDir: string;
  databaseUrl: string;
  /** Set when created with `today`. */
  clock?: FixedClock;
  /** Bearer token of a user. */
  login(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** The real application (same module, same setup as main.ts) on a fresh database. */
export async function createTestApp(
  overrides: Record<string, string> = {},
  options: { today?: IsoDate; logTo?: { write(line: string): void } } = {},
): Promise<TestApp> {
  const db = await freshDatabase();
  // With `today`, the app's Clock stands still on that date (pace, statuses); t.clock can move it.
  const clock = options.today ? new FixedClock(options.today) : undefined;
  const builder = Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        DATABASE_URL: db.url,
        DATA_DIR: db.dataDir,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        ROLE: 'web',
        LOG_LEVEL: 'error',
        ...overrides,
      }),
    ],
  });
  if (clock) builder.overrideProvider(Clock).useValue(clock);
  // With `logTo`, the app's JSON log lines go there instead of stdout (tests read them).
  if (options.logTo) builder.overrideProvider(LOG_DESTINATION).useValue(options.logTo);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error'] });
  await configureApp(app);
  await app.init();
  const http = request(app.getHttpServer());
  return {
    app,
    http,
    orm: app.get(MikroORM),
    dataDir: db.dataDir,
    databaseUrl: db.url,
    clock,
    async login(email, password) {
      const res = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ email, password });
      if (res.status !== 200)
        throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
