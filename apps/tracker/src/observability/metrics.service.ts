import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Env } from '@app/common';
import { dialectOf, OUTBOX_STATUSES } from '@app/db';
import { routeOf } from './http-route';

/** knex's (tarn's) pool, as far as the gauges read it. */
interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/**
 * The service's Prometheus metrics, in a registry of this application instance (not prom-client's
 * global one, so several instances in one process keep their own). HTTP requests by method, route
 * pattern and status; outbox rows by status and database pool use, both read when scraped; monthly
 * report runs; and prom-client's process metrics (memory, CPU, event loop lag).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly reportRuns = new Histogram({
    name: 'report_run_duration_seconds',
    help: 'Monthly report runs (creating their outbox rows), by trigger and outcome',
    labelNames: ['trigger', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  constructor(
    private readonly orm: MikroORM,
    env: Env,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const outbox: Gauge<'status'> = new Gauge({
      name: 'outbox_messages',
      help: 'Outbox mails by status (read from the outbox table when scraped)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      collect: async () => {
        outbox.reset();
        for (const [status, n] of await this.outboxCounts()) outbox.set({ status }, n);
      },
    });
    if (dialectOf(env.DATABASE_URL) === 'postgresql') {
      const pool: Gauge<'state'> = new Gauge({
        name: 'db_pool_connections',
        help: 'Request pool connections: used, free, and requests waiting for one (pending)',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect: () => {
          const p = this.pool();
          if (!p) return;
          pool.set({ state: 'used' }, p.numUsed());
          pool.set({ state: 'free' }, p.numFree());
          pool.set({ state: 'pending' }, p.numPendingAcquires());
        },
      });
    }
  }

  /** Express middleware counting every request when its response is finished (the route is known then). */
  middleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
        this.requests.inc(labels);
        this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    };
  }

  /** Times a report run; `outcome` is what it did (created rows, skipped a tick) or `failed`. */
  async timeReportRun<T>(trigger: string, run: () => Promise<T>, outcome: (r: T) => string): Promise<T> {
    const end = this.reportRuns.startTimer({ trigger });
    try {
      const result = await run();
      end({ outcome: outcome(result) });
      return result;
    } catch (e) {
      end({ outcome: 'failed' });
      throw e;
    }
  }

  /** Rows per status; none when the database does not answer (the scrape still succeeds). */
  private async outboxCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>(OUTBOX_STATUSES.map((s) => [s, 0]));
    try {
      const rows = (await this.orm.em
        .fork()
        .getConnection()
        .execute('select status, count(*) as n from outbox_messages group by status')) as {
        status: string;
        n: number | string;
      }[];
      for (const r of rows) counts.set(r.status, Number(r.n));
      return counts;
    } catch (e) {
      this.logger.warn(`outbox_messages not collected: ${(e as Error).message}`);
      return new Map();
    }
  }

  private pool(): Pool | undefined {
    const knex = (this.orm.em.getConnection() as AbstractSqlConnection).getKnex();
    return (knex.client as { pool?: Pool }).pool;
  }
}
