import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type Principal } from '@app/auth';
import { CalendarService } from '../../calendar/calendar.service';
import { FlashQuery } from '../forms';
import type { PageRequest } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { ViewsService } from '../views.service';

/** The signed-in user's calendar link: made (shown once, since only its hash is kept) and revoked here. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('account/calendar')
export class CalendarPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly calendar: CalendarService,
  ) {}

  @Get()
  async show(
    @CurrentUser() p: Principal,
    @Query() q: FlashQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const active = await this.calendar.hasFeed(p.id);
    this.views.page(req, res, 'calendar.njk', { active, url: null, flash: this.views.flash(req, q.done) });
  }

  @Post()
  async create(@CurrentUser() p: Principal, @Req() req: PageRequest, @Res() res: Response) {
    const { url } = await this.calendar.create(p.id);
    this.views.page(req, res, 'calendar.njk', {
      active: true,
      url,
      flash: this.views.flash(req, 'calendarCreated'),
    });
  }

  @Post('revoke')
  async revoke(@CurrentUser() p: Principal, @Res() res: Response) {
    await this.calendar.revoke(p.id);
    res.redirect(303, '/account/calendar?done=calendarRevoked');
  }
}
