import { Global, Module } from '@nestjs/common';
import { ComplianceCounts } from './compliance-counts.service';
import { ComplianceController } from './compliance.controller';
import { ComplianceService } from './compliance.service';
import { PeriodLocks } from './period-locks';

/** Global: every service that changes what counts keeps the read model (ComplianceCounts) in step. */
@Global()
@Module({
  controllers: [ComplianceController],
  providers: [ComplianceService, ComplianceCounts, PeriodLocks],
  exports: [ComplianceService, ComplianceCounts, PeriodLocks],
})
export class ComplianceModule {}
