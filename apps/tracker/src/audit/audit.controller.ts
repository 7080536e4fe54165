import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '@app/auth';
import { ApiPage } from '../common/api-docs';
import { AuditQuery } from './audit-query.dto';
import { AuditViewDto } from './audit-view.dto';
import { AuditQueryService } from './audit-query.service';

@ApiTags('audit')
@Allow('audit:read')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @ApiPage(AuditViewDto, 'Newest first')
  list(@Query() q: AuditQuery) {
    return this.audit.list(q);
  }
}
