import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MikroORM } from '@mikro-orm/core';
import { Env } from '@app/common';
import { runJob, startCronJob } from '../common/cron-jobs';
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
    startCronJob(this.registry, REPORT_JOB, this.env.REPORT_CRON, this.env.REPORT_TZ, () =>
      this.safely('tick', () => this.reports.tick(new Date())),
    );
    this.logger.log(`Monthly reports scheduled: "${this.env.REPORT_CRON}" (${this.env.REPORT_TZ})`);
    void this.safely('catch-up', () => this.reports.catchUp(new Date()));
  }

  private safely(what: string, fn: () => Promise<unknown>): Promise<void> {
    return runJob(this.orm, this.logger, `Report ${what}`, fn);
  }
}
