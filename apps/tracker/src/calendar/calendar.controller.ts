import { Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiExcludeController, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal, Public } from '@app/auth';
import { CalendarUrlDto } from './calendar.dto';
import { CalendarService } from './calendar.service';

/** The caller's own calendar link. */
@ApiTags('me')
@Controller('api/v1/me/calendar')
export class MyCalendarController {
  constructor(private readonly calendar: CalendarService) {}

  /** A new private URL (a new token each time); the previous URL stops working. */
  @Post()
  @ApiCreatedResponse({ type: CalendarUrlDto })
  create(@CurrentUser() p: Principal) {
    return this.calendar.create(p.id);
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: the URL now answers 404' })
  async revoke(@CurrentUser() p: Principal) {
    await this.calendar.revoke(p.id);
  }
}

/** The feed itself: no session, the secret token in the path is the credential. */
@ApiExcludeController()
@Controller('calendar')
export class CalendarFeedController {
  constructor(private readonly calendar: CalendarService) {}

  @Public()
  @Get(':file')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @Header('Cache-Control', 'private, no-store')
  feed(@Param('file') file: string) {
    return this.calendar.feed(file);
  }
}
