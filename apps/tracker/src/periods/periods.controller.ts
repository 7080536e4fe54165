import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { UnitIdParam } from '../compliance/dto/compliance.dto';
import {
  BulkCloseDto,
  BulkCloseResultDto,
  CloseGraceDto,
  CloseGraceInputDto,
  ReopenPeriodDto,
  UnitPeriodDto,
  UnitPeriodParams,
  UnitPeriodsDto,
} from './dto/periods.dto';
import { PeriodsService } from './periods.service';

/** The year-end close of units' annual periods (out of scope: 404). */
@ApiTags('periods')
@Controller('api/v1')
export class PeriodsController {
  constructor(private readonly periods: PeriodsService) {}

  /** Every role that sees the unit. */
  @Get('units/:id/periods')
  @ApiOkResponse({ type: UnitPeriodsDto })
  list(@CurrentUser() p: Principal, @Param() { id }: UnitIdParam) {
    return this.periods.list(p, id);
  }

  @Allow('periods:close')
  @Post('units/:id/periods/:period/close')
  @HttpCode(200)
  @ApiOkResponse({ type: UnitPeriodDto })
  close(@CurrentUser() p: Principal, @Param() { id, period }: UnitPeriodParams) {
    return this.periods.close(p, id, period);
  }

  @Allow('periods:reopen')
  @Post('units/:id/periods/:period/reopen')
  @HttpCode(200)
  @ApiOkResponse({ type: UnitPeriodDto })
  reopen(
    @CurrentUser() p: Principal,
    @Param() { id, period }: UnitPeriodParams,
    @Body() dto: ReopenPeriodDto,
  ) {
    return this.periods.reopen(p, id, period, dto.reason);
  }

  /** Closes every ended (past grace) period of the province's units. */
  @Allow('periods:close')
  @Post('periods/close')
  @HttpCode(200)
  @ApiOkResponse({ type: BulkCloseResultDto })
  closeProvince(@CurrentUser() p: Principal, @Body() dto: BulkCloseDto) {
    return this.periods.closeProvince(p, dto.province, { dryRun: dto.dryRun });
  }

  @Allow('rule-sets:manage')
  @Get('rule-sets/:program/close-grace')
  @ApiOkResponse({ type: CloseGraceDto })
  grace(@Param('program') program: string) {
    return this.periods.graceOf(program);
  }

  @Allow('rule-sets:manage')
  @Put('rule-sets/:program/close-grace')
  @ApiOkResponse({ type: CloseGraceDto })
  setGrace(@CurrentUser() p: Principal, @Param('program') program: string, @Body() dto: CloseGraceInputDto) {
    return this.periods.setGrace(p, program, dto.days);
  }
}
