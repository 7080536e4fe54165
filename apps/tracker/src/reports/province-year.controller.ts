import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { attachmentHeader } from '../web/exports/spreadsheet';
import { ProvinceYearQuery, ProvinceYearViewDto } from './dto/province-year.dto';
import { ProvinceYearService } from './province-year.service';

/** A province's year summary (JSON or XLSX) for its supervisors and administrators; another province: 404. */
@ApiTags('reports')
@Controller('api/v1/reports/province-year')
export class ProvinceYearController {
  constructor(private readonly years: ProvinceYearService) {}

  @Allow('reports:provinceYear')
  @Get()
  @ApiOkResponse({
    type: ProvinceYearViewDto,
    description: 'JSON; with format=xlsx the same figures as a workbook',
  })
  async get(@CurrentUser() p: Principal, @Query() q: ProvinceYearQuery) {
    const view = await this.years.view(p, q.province, q.year);
    if (q.format !== 'xlsx') return view;
    const { fileName, content } = await this.years.workbook(view, q.lang ?? p.locale ?? 'zh');
    return new StreamableFile(content, {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      disposition: attachmentHeader(fileName),
    });
  }
}
