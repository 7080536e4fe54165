import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { CronJob } from 'cron';
import { Env } from '@app/common';
import { ReportsService } from './reports.service';

export const REPORT_JOB = 'monthly-reports';

/**
 * Wires the monthly job to cron (REPORT_CRON in REPORT_TZ) and catches up a missed tick at start-up.
 * Runs on instances with ROLE all or worker and REPORTS_ENABLED; the tick itself only creates outbox
 * rows under a database lock, so every instance may run it.
 */
@Injectable()
export class ReportsScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Reports');

  constructor(
    private readonly env: Env,
    private readonly registry: SchedulerRegistry,
    private readonly orm: MikroORM,
    private readonly reports: ReportsService,
  ) {}

  get enabled(): boolean {
    return this.env.REPORTS_ENABLED && (this.env.ROLE === 'all' || this.env.ROLE === 'worker');
  }

  onApplicationBootstrap() {
    if (!this.enabled) return;
    const job = CronJob.from({
      cronTime: this.env.REPORT_CRON,
      timeZone: this.env.REPORT_TZ,
      onTick: () => this.safely('tick', () => this.reports.tick(new Date())),
      waitForCompletion: true,
      start: true,
    });
    this.registry.addCronJob(REPORT_JOB, job);
    this.logger.log(`Monthly reports scheduled: "${this.env.REPORT_CRON}" (${this.env.REPORT_TZ})`);
    void this.safely('catch-up', () => this.reports.catchUp(new Date()));
  }

  private async safely(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      // Each job runs in its own unit of work, never the global EntityManager.
      await RequestContext.create(this.orm.em, fn);
    } catch (e) {
      this.logger.error(`Report ${what} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
}
