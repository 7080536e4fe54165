import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ApiPage } from '../common/api-docs';
import { ActivitiesService } from './activities.service';
import { ActivityDetailDto, ActivityViewDto } from './dto/activity-view.dto';
import { ActivityQuery, CreateActivityDto, UpdateActivityDto } from './dto/activity.dto';
import { RejectDto, RequestChangesDto } from './dto/review.dto';
import { ParseIdPipe } from './parse-id.pipe';

@ApiTags('activities')
@Controller('api/v1/activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Get()
  @ApiPage(ActivityViewDto)
  list(@CurrentUser() p: Principal, @Query() q: ActivityQuery) {
    return this.activities.list(p, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ActivityDetailDto })
  get(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.activities.get(p, id);
  }

  @Allow('activities:record')
  @Post()
  @ApiCreatedResponse({ type: ActivityViewDto })
  create(@CurrentUser() p: Principal, @Body() dto: CreateActivityDto) {
    return this.activities.create(p, dto);
  }

  @Allow('activities:record')
  @Patch(':id')
  @ApiOkResponse({ type: ActivityViewDto })
  update(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateActivityDto) {
    return this.activities.update(p, id, dto);
  }

  @Allow('activities:record')
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.activities.remove(p, id);
  }

  @Allow('activities:record')
  @Post(':id/submit')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityViewDto })
  submit(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.activities.submit(p, id);
  }

  @Allow('activities:review')
  @Post(':id/verify')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityViewDto })
  verify(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.activities.verify(p, id);
  }

  @Allow('activities:review')
  @Post(':id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityViewDto })
  reject(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number, @Body() dto: RejectDto) {
    return this.activities.reject(p, id, dto.reason);
  }

  /** Sends a submitted activity back to its unit with a comment (it becomes rejected with that reason). */
  @Allow('activities:requestChanges')
  @Post(':id/request-changes')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityViewDto })
  requestChanges(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: RequestChangesDto,
  ) {
    return this.activities.requestChanges(p, id, dto.comment);
  }
}
