import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PROVINCE_CODES } from '@app/compliance';
import { Allow, CurrentUser, type Principal, ScopePolicy } from '@app/auth';
import { ROBOT_KINDS } from '@app/db';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { CreateRobotDto } from '../../robots/dto/robot.dto';
import { RobotsService } from '../../robots/robots.service';
import { type FieldErrors, submitForm, text, validateForm } from '../form-validation';
import { FlashQuery, FormBase } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/** The group robots (WeCom, DingTalk) of the provinces and units in scope: list, add, remove. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Allow('robots:manage')
@Controller('robots')
export class RobotPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly robots: RobotsService,
  ) {}

  @Get()
  async list(
    @CurrentUser() p: Principal,
    @Query() q: FlashQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    await this.show(p, req, res, {}, {}, '', 200, q);
  }

  @Post()
  async create(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const unitId = text(body, 'unitId');
    const values = {
      kind: text(body, 'kind'),
      name: text(body, 'name'),
      province: text(body, 'province'),
      unitId: unitId === undefined ? undefined : /^\d{1,9}$/.test(unitId) ? Number(unitId) : unitId,
      webhookUrl: text(body, 'webhookUrl'),
      secret: text(body, 'secret'),
    };
    await submitForm(
      validateForm(CreateRobotDto, values, locale),
      locale,
      async (dto) => {
        await this.robots.create(p, dto);
        res.redirect(303, '/robots?done=created');
      },
      ({ errors, formError }) =>
        // The webhook (its key) and the secret are never sent back into the form.
        this.show(
          p,
          req,
          res,
          { ...values, webhookUrl: undefined, secret: undefined },
          errors,
          formError,
          400,
        ),
    );
  }

  @Post(':id/delete')
  async remove(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() _form: FormBase,
    @Res() res: Response,
  ) {
    await this.robots.remove(p, id);
    res.redirect(303, '/robots?done=deleted');
  }

  private async show(
    p: Principal,
    req: PageRequest,
    res: Response,
    values: Record<string, unknown>,
    errors: FieldErrors,
    formError: string,
    status: number,
    q?: FlashQuery,
  ) {
    const provinces = ScopePolicy.provinces(p) ?? PROVINCE_CODES;
    this.views.page(
      req,
      res,
      'robots.njk',
      {
        robots: await this.robots.list(p),
        kinds: ROBOT_KINDS,
        provinces,
        values,
        errors,
        formError,
        flash: q ? this.views.flash(req, q.done) : '',
      },
      status,
    );
  }
}
