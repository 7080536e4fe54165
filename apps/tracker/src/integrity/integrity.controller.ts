import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ParseIdPipe } from '../activities/parse-id.pipe';
import { ApiPage } from '../common/api-docs';
import { DuplicateViewDto } from './dto/integrity-view.dto';
import { DuplicatesQuery, ExplainDuplicateDto } from './dto/integrity.dto';
import { IntegrityService } from './integrity.service';

/** Duplicate claims: the same thing claimed by two activities (two units, or one unit twice). */
@ApiTags('integrity')
@Allow('integrity:review')
@Controller('api/v1/integrity')
export class IntegrityController {
  constructor(private readonly integrity: IntegrityService) {}

  @Get('duplicates')
  @ApiPage(
    DuplicateViewDto,
    'Matches with a side in the caller scope, newest first (open unless status says)',
  )
  list(@CurrentUser() p: Principal, @Query() q: DuplicatesQuery) {
    return this.integrity.list(p, q);
  }

  @Allow('integrity:explain')
  @Post('duplicates/:id/explain')
  @HttpCode(200)
  @ApiOkResponse({ type: DuplicateViewDto })
  explain(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ExplainDuplicateDto,
  ) {
    return this.integrity.explain(p, id, dto.note);
  }
}
