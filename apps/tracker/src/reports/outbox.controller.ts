import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { OutboxService } from '@app/mail';
import { IdParam, OutboxQueryDto } from './dto/reports.dto';

/** Every mail the service sends, its status and outcome (SPEC §4); admins only. */
@ApiTags('outbox')
@Allow('outbox:manage')
@Controller('api/v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  list(@Query() q: OutboxQueryDto) {
    return this.outbox.list(q);
  }

  @Get(':id')
  get(@Param() { id }: IdParam) {
    return this.outbox.get(id);
  }

  /** A failed mail goes back to the queue with a fresh set of attempts. */
  @Post(':id/retry')
  @HttpCode(200)
  retry(@CurrentUser() p: Principal, @Param() { id }: IdParam) {
    return this.outbox.retry(p, id);
  }
}
