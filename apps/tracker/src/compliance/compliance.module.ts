import { Global, Module } from '@nestjs/common';
import { ComplianceCounts } from './compliance-counts.service';
import { ComplianceController } from './compliance.controller';
import { ComplianceService } from './compliance.service';
import { LeagueController } from './league.controller';
import { LeagueService } from './league.service';
import { PeriodLocks } from './period-locks';

/** Global: every service that changes what counts keeps the read model (ComplianceCounts) in step. */
@Global()
@Module({
  controllers: [ComplianceController, LeagueController],
  providers: [ComplianceService, ComplianceCounts, PeriodLocks, LeagueService],
  exports: [ComplianceService, ComplianceCounts, PeriodLocks, LeagueService],
})
export class ComplianceModule {}
