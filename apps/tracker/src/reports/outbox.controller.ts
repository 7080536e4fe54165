import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { OutboxService } from '@app/mail';
import { ApiPage } from '../common/api-docs';
import { IdParam, OutboxQueryDto } from './dto/reports.dto';
import { OutboxDetailDto, OutboxSummaryDto } from './dto/report-view.dto';

/** Every mail the service sends, its status and outcome (SPEC §4); admins only. */
@ApiTags('outbox')
@Allow('outbox:manage')
@Controller('api/v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @ApiPage(OutboxSummaryDto, 'Newest first')
  list(@Query() q: OutboxQueryDto) {
    return this.outbox.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: OutboxDetailDto })
  get(@Param() { id }: IdParam) {
    return this.outbox.get(id);
  }

  /** A failed mail goes back to the queue with a fresh set of attempts. */
  @Post(':id/retry')
  @HttpCode(200)
  @ApiOkResponse({ type: OutboxSummaryDto })
  retry(@CurrentUser() p: Principal, @Param() { id }: IdParam) {
    return this.outbox.retry(p, id);
  }
}
