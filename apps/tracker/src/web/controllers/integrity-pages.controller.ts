import { Body, Controller, Param, Post, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { IntegrityService } from '../../integrity/integrity.service';
import { ExplainDuplicateForm } from '../forms';
import { PageErrorFilter } from '../page-error.filter';

/** The activity page's "mark as explained" form of a duplicate claim. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Allow('integrity:explain')
@Controller('duplicates')
export class IntegrityPagesController {
  constructor(private readonly integrity: IntegrityService) {}

  @Post(':id/explain')
  async explain(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() form: ExplainDuplicateForm,
    @Res() res: Response,
  ) {
    const m = await this.integrity.explain(p, id, form.note);
    res.redirect(303, `/activities/${m.activityId}?done=duplicateExplained#duplicates`);
  }
}
