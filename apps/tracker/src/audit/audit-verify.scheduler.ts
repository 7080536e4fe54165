import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MikroORM } from '@mikro-orm/core';
import { Env } from '@app/common';
import { runJob, startCronJob } from '../common/cron-jobs';
import { AuditVerifyService } from './audit-verify.service';

export const AUDIT_VERIFY_JOB = 'audit-verify';
/** Daily at 03:30 (Asia/Shanghai), a quiet hour. */
export const AUDIT_VERIFY_CRON = '30 3 * * *';

/**
 * Checks the audit chain daily on instances with ROLE all or worker (as audit:verify does); a broken
 * chain is logged as an error. Of several workers, the first to tick checks; the others see its record.
 */
@Injectable()
export class AuditVerifyScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditChain');

  constructor(
    private readonly env: Env,
    private readonly registry: SchedulerRegistry,
    private readonly orm: MikroORM,
    private readonly verifier: AuditVerifyService,
  ) {}

  onApplicationBootstrap() {
    if (this.env.ROLE !== 'all' && this.env.ROLE !== 'worker') return;
    startCronJob(this.registry, AUDIT_VERIFY_JOB, AUDIT_VERIFY_CRON, 'Asia/Shanghai', () =>
      runJob(this.orm, this.logger, 'Audit chain check', () => this.tick(new Date())),
    );
  }

  /** Checks unless a check was recorded within the last hour (another worker's tick). */
  async tick(now: Date) {
    const last = await this.verifier.latest();
    if (last && now.getTime() - last.at.getTime() < 3_600_000) return null;
    const v = await this.verifier.verify('cron');
    if (v.ok) this.logger.log(`Audit chain intact: ${v.checked} entries checked`);
    else this.logger.error(`Audit chain broken at entry ${v.firstBrokenId} (${v.problem})`);
    return v;
  }
}
