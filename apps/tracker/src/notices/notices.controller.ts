import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@app/auth';
import { NoticePreferencesDto, UpdateNoticePreferencesDto } from './notices.dto';
import { NoticesService } from './notices.service';

/** The caller's own event notice choices; every signed-in user has them. */
@ApiTags('notices')
@Controller('api/v1/me/notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  @Get()
  @ApiOkResponse({ type: NoticePreferencesDto })
  get(@CurrentUser() p: Principal) {
    return this.notices.preferences(p.id);
  }

  @Put()
  @ApiOkResponse({ type: NoticePreferencesDto })
  put(@CurrentUser() p: Principal, @Body() dto: UpdateNoticePreferencesDto) {
    return this.notices.setPreferences(p.id, dto);
  }
}
