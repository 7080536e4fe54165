import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ProgramRemindersDto, ProgramRemindersInputDto } from './reminders.dto';
import { RemindersService } from './reminders.service';

/** A program's deadline-reminder days: the rule set's, or an administrator's override (404 for an unknown program). */
@ApiTags('rule-sets')
@Controller('api/v1/rule-sets/:program/reminders')
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  @Allow('rule-sets:manage')
  @Get()
  @ApiOkResponse({ type: ProgramRemindersDto })
  get(@Param('program') program: string) {
    return this.reminders.settingsOf(program);
  }

  @Allow('rule-sets:manage')
  @Put()
  @ApiOkResponse({ type: ProgramRemindersDto })
  put(@CurrentUser() p: Principal, @Param('program') program: string, @Body() dto: ProgramRemindersInputDto) {
    return this.reminders.setDays(p, program, dto.days);
  }
}
