import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MikroORM } from '@mikro-orm/core';
import { Env } from '@app/common';
import { runJob, startCronJob } from '../common/cron-jobs';
import { NoticesService } from './notices.service';

export const NOTICE_JOB = 'event-notices';
/** Every five minutes: hourly batches go out a few minutes after their hour, digests soon after 08:00. */
export const NOTICE_CRON = '*/5 * * * *';

/**
 * Ticks the notice batches and digests on instances with ROLE all or worker. Every instance may tick:
 * the outbox's idempotency keys let each mail be queued once.
 */
@Injectable()
export class NoticesScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Notices');

  constructor(
    private readonly env: Env,
    private readonly registry: SchedulerRegistry,
    private readonly orm: MikroORM,
    private readonly notices: NoticesService,
  ) {}

  onApplicationBootstrap() {
    if (this.env.ROLE !== 'all' && this.env.ROLE !== 'worker') return;
    startCronJob(this.registry, NOTICE_JOB, NOTICE_CRON, 'Asia/Shanghai', () =>
      runJob(this.orm, this.logger, 'Notice tick', () => this.notices.tick(new Date())),
    );
  }
}
