import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { attachmentHeader, toCsv, toXlsx } from '../web/exports/spreadsheet';
import { LeagueQuery, LeagueViewDto } from './dto/league.dto';
import { LeagueService } from './league.service';

const TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** League tables of the groups of units (JSON, XLSX or CSV); supervisors see the other provinces only in aggregates. */
@ApiTags('compliance')
@Controller('api/v1/compliance/league')
export class LeagueController {
  constructor(private readonly league: LeagueService) {}

  @Allow('compliance:league')
  @Get()
  @ApiOkResponse({
    type: LeagueViewDto,
    description: 'JSON; with format=xlsx or csv the same figures as a file',
  })
  async get(@CurrentUser() p: Principal, @Query() q: LeagueQuery) {
    const view = await this.league.view(p, q);
    if (!q.format || q.format === 'json') return view;
    const sheet = this.league.sheet(view, q.lang ?? p.locale ?? 'zh');
    const content = q.format === 'xlsx' ? await toXlsx([sheet]) : toCsv(sheet);
    return new StreamableFile(content, {
      type: TYPES[q.format],
      disposition: attachmentHeader(`${sheet.name}-${view.by}.${q.format}`),
    });
  }
}
