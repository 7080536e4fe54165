import { Module } from '@nestjs/common';
import { EvidenceModule } from '../evidence/evidence.module';
import { AcceptanceController } from './acceptance.controller';
import { AcceptanceService } from './acceptance.service';
import { ScoringTablesService } from './scoring-tables.service';

/** The acceptance pack (验收材料包) and the evaluation scoring tables it scores with. */
@Module({
  imports: [EvidenceModule],
  controllers: [AcceptanceController],
  providers: [AcceptanceService, ScoringTablesService],
  exports: [AcceptanceService, ScoringTablesService],
})
export class AcceptanceModule {}
