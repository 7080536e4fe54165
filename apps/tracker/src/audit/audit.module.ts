import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditQueryService } from './audit-query.service';
import { AuditController } from './audit.controller';
import { AuditVerifyService } from './audit-verify.service';
import { AuditVerifyScheduler } from './audit-verify.scheduler';

@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditService, AuditQueryService, AuditVerifyService, AuditVerifyScheduler],
  exports: [AuditService, AuditQueryService, AuditVerifyService],
})
export class AuditModule {}
