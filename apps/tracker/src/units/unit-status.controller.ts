import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { UnitIdParam } from '../compliance/dto/compliance.dto';
import { UnitStatusChangeDto, UnitStatusChangeViewDto, UnitStatusHistoryDto } from './dto/unit-status.dto';
import { UnitStatusService } from './unit-status.service';

/** A unit's lifecycle: its status history (everyone who sees the unit) and the next step (supervisors, admins). */
@ApiTags('units')
@Controller('api/v1/units/:id/status')
export class UnitStatusController {
  constructor(private readonly status: UnitStatusService) {}

  @Get()
  @ApiOkResponse({ type: UnitStatusHistoryDto })
  history(@CurrentUser() p: Principal, @Param() { id }: UnitIdParam) {
    return this.status.history(p, id);
  }

  @Allow('units:setStatus')
  @Post()
  @ApiCreatedResponse({ type: UnitStatusChangeViewDto })
  change(@CurrentUser() p: Principal, @Param() { id }: UnitIdParam, @Body() dto: UnitStatusChangeDto) {
    return this.status.change(p, id, dto);
  }
}
