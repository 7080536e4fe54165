import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '@app/auth';
import { AuditQuery } from './audit-query.dto';
import { AuditQueryService } from './audit-query.service';

@ApiTags('audit')
@Allow('audit:read')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  list(@Query() q: AuditQuery) {
    return this.audit.list(q);
  }
}
