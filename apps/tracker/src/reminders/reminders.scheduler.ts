import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MikroORM } from '@mikro-orm/core';
import { addDays, todayIn } from '@app/compliance';
import { Env } from '@app/common';
import { Clock } from '../common/clock';
import { runJob, startCronJob } from '../common/cron-jobs';
import { latestTickAtOrBefore } from '../reports/report-period';
import { RemindersService } from './reminders.service';

export const REMINDER_JOB = 'deadline-reminders';
/** Every day at 08:00 in REPORT_TZ (Asia/Shanghai), the monthly reports' hour. */
export const REMINDER_CRON = '0 8 * * *';

/**
 * Runs the reminders daily on the instances that run the monthly reports (ROLE all or worker,
 * REPORTS_ENABLED), and once at start-up for the latest 08:00 passed, so a day the service was down is
 * sent late rather than never. Reruns queue nothing twice (one idempotency key per reminder).
 */
@Injectable()
export class RemindersScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Reminders');

  constructor(
    private readonly env: Env,
    private readonly registry: SchedulerRegistry,
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly reminders: RemindersService,
  ) {}

  get enabled(): boolean {
    return this.env.REPORTS_ENABLED && (this.env.ROLE === 'all' || this.env.ROLE === 'worker');
  }

  onApplicationBootstrap() {
    if (!this.enabled) return;
    startCronJob(this.registry, REMINDER_JOB, REMINDER_CRON, this.env.REPORT_TZ, () =>
      this.safely('tick', () => this.reminders.run(this.clock.today())),
    );
    // Before today's 08:00, the catch-up stands for yesterday's tick, so nothing goes out early.
    const now = this.clock.now();
    const tick = latestTickAtOrBefore(REMINDER_CRON, this.env.REPORT_TZ, now, 2);
    const ticked = tick !== null && todayIn(tick, this.env.REPORT_TZ) === todayIn(now, this.env.REPORT_TZ);
    const day = ticked ? this.clock.today() : addDays(this.clock.today(), -1);
    void this.safely('catch-up', () => this.reminders.run(day));
  }

  private safely(what: string, fn: () => Promise<unknown>): Promise<void> {
    return runJob(this.orm, this.logger, `Reminder ${what}`, fn);
  }
}
