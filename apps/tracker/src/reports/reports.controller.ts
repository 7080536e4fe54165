import { Body, Controller, Get, Header, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ApiFileResponse, ApiPage } from '../common/api-docs';
import { PageQuery } from '../common/pagination';
import { attachmentHeader } from '../web/exports/spreadsheet';
import {
  DigestChartParam,
  DigestQueryDto,
  IdParam,
  PreviewQueryDto,
  RunReportsDto,
  UnitChartParam,
} from './dto/reports.dto';
import { ReportRunDto, RunSummaryDto } from './dto/report-view.dto';
import { ReportsService } from './reports.service';

/** The preview is the mail's own HTML: inline styles, images from the chart endpoints, no scripts. */
const PREVIEW_CSP =
  "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** Report previews (nothing is sent) and, for admins, running a period now. */
@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('units/:id')
  @Header('Content-Security-Policy', PREVIEW_CSP)
  @ApiFileResponse('text/html', "The unit's report mail as HTML")
  async unitPreview(@CurrentUser() p: Principal, @Param() { id }: IdParam, @Query() q: PreviewQueryDto) {
    return html(await this.reports.unitPreview(p, id, q));
  }

  @Get('units/:id/charts/:chart')
  @Header('Cache-Control', 'private, max-age=300')
  @ApiFileResponse('image/png', 'A chart of the unit report')
  async unitChart(
    @CurrentUser() p: Principal,
    @Param() { id, chart }: UnitChartParam,
    @Query() q: PreviewQueryDto,
  ) {
    return png(await this.reports.unitChart(p, id, chart, q));
  }

  @Allow('reports:digest')
  @Get('digest')
  @Header('Content-Security-Policy', PREVIEW_CSP)
  @ApiFileResponse('text/html', 'The supervisor digest mail as HTML')
  async digestPreview(@CurrentUser() p: Principal, @Query() q: DigestQueryDto) {
    return html(await this.reports.digestPreview(p, q));
  }

  @Allow('reports:digest')
  @Get('digest/charts/:chart')
  @Header('Cache-Control', 'private, max-age=300')
  @ApiFileResponse('image/png', 'A chart of the digest')
  async digestChart(
    @CurrentUser() p: Principal,
    @Param() { chart }: DigestChartParam,
    @Query() q: DigestQueryDto,
  ) {
    return png(await this.reports.digestChart(p, chart, q));
  }

  @Allow('reports:digest')
  @Get('digest/workbook')
  @ApiFileResponse(
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    "The digest's workbook",
  )
  async digestWorkbook(@CurrentUser() p: Principal, @Query() q: DigestQueryDto) {
    const { fileName, content } = await this.reports.digestWorkbook(p, q);
    return new StreamableFile(content, {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      disposition: attachmentHeader(fileName),
    });
  }

  /** Creates the period's missing outbox rows now; the worker sends them. */
  @Allow('reports:run')
  @Post('runs')
  @ApiCreatedResponse({ type: RunSummaryDto })
  run(@CurrentUser() p: Principal, @Body() dto: RunReportsDto) {
    return this.reports.run(dto.period, { trigger: 'manual', actor: p });
  }

  @Allow('reports:run')
  @Get('runs')
  @ApiPage(ReportRunDto, 'Newest first')
  runs(@Query() q: PageQuery) {
    return this.reports.runs(q.page, q.pageSize);
  }
}

function png(content: Buffer): StreamableFile {
  return new StreamableFile(content, { type: 'image/png', length: content.length });
}

// Typed at the end (not by @Header), so an error answer keeps its JSON content type.
function html(content: string): StreamableFile {
  return new StreamableFile(Buffer.from(content, 'utf8'), { type: 'text/html; charset=utf-8' });
}
