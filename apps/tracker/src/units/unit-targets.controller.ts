import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ParseIdPipe } from '../activities/parse-id.pipe';
import { UnitTargetsDto } from './dto/unit-targets.dto';
import { UnitTargetsViewDto } from './dto/unit-view.dto';
import { UnitTargetsService } from './unit-targets.service';

/** SPEC §3 v2 unit targets: minimums from the unit's task book, per requirement and period. */
@ApiTags('units')
@Controller('api/v1/units/:id/targets')
export class UnitTargetsController {
  constructor(private readonly targets: UnitTargetsService) {}

  /** Everyone who sees the unit (404 outside the caller's scope). */
  @Get()
  @ApiOkResponse({ type: UnitTargetsViewDto })
  list(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.targets.list(p, id);
  }

  /** Replaces the unit's whole set: administrators, and supervisors of the unit's province. */
  @Allow('units:setTargets')
  @Put()
  @ApiOkResponse({ type: UnitTargetsViewDto })
  replace(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number, @Body() dto: UnitTargetsDto) {
    return this.targets.replace(p, id, dto);
  }
}
