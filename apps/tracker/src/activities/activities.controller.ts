import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ActivitiesService } from './activities.service';
import { ActivityQuery, CreateActivityDto, UpdateActivityDto } from './dto/activity.dto';
import { RejectDto } from './dto/review.dto';
import { ParseIdPipe } from './parse-id.pipe';

@ApiTags('activities')
@Controller('api/v1/activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Get()
  list(@CurrentUser() p: Principal, @Query() q: ActivityQuery) {
    return this.activities.list(p, q);
  }

  @Get(':id')
  get(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.activities.get(p, id);
  }

  @Allow('activities:record')
  @Post()
  create(@CurrentUser() p: Principal, @Body() dto: CreateActivityDto) {
    return this.activities.create(p, dto);
  }

  @Allow('activities:record')
  @Patch(':id')
  update(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateActivityDto) {
    return this.activities.update(p, id, dto);
  }

  @Allow('activities:record')
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.activities.remove(p, id);
  }

  @Allow('activities:record')
  @Post(':id/submit')
  @HttpCode(200)
  submit(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.activities.submit(p, id);
  }

  @Allow('activities:review')
  @Post(':id/verify')
  @HttpCode(200)
  verify(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.activities.verify(p, id);
  }

  @Allow('activities:review')
  @Post(':id/reject')
  @HttpCode(200)
  reject(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number, @Body() dto: RejectDto) {
    return this.activities.reject(p, id, dto.reason);
  }
}
