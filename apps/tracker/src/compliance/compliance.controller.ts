import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@app/auth';
import { ComplianceService } from './compliance.service';
import { ComplianceTrendDto, ScopeComplianceViewDto, UnitComplianceViewDto } from './dto/compliance-view.dto';
import { ScopeComplianceQuery, TrendQuery, UnitComplianceQuery, UnitIdParam } from './dto/compliance.dto';

/** Read-only compliance figures for every signed-in role, limited to the caller's scope. */
@ApiTags('compliance')
@Controller('api/v1')
export class ComplianceController {
  constructor(private readonly compliance: ComplianceService) {}

  @Get('units/:id/compliance')
  @ApiOkResponse({ type: UnitComplianceViewDto })
  unit(@CurrentUser() p: Principal, @Param() { id }: UnitIdParam, @Query() q: UnitComplianceQuery) {
    return this.compliance.forUnitOf(p, id, q.at);
  }

  @Get('compliance')
  @ApiOkResponse({ type: ScopeComplianceViewDto })
  scope(@CurrentUser() p: Principal, @Query() q: ScopeComplianceQuery) {
    return this.compliance.forScopeOf(p, q);
  }

  @Get('compliance/trend')
  @ApiOkResponse({ type: ComplianceTrendDto })
  trend(@CurrentUser() p: Principal, @Query() q: TrendQuery) {
    return this.compliance.trendOf(p, q);
  }
}
