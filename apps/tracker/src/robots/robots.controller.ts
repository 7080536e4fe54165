import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { IdParam } from '../reports/dto/reports.dto';
import { CreateRobotDto, RobotViewDto } from './dto/robot.dto';
import { RobotsService } from './robots.service';

/** WeCom and DingTalk group robots per province or unit: admins anywhere, supervisors in their provinces. */
@ApiTags('robots')
@Allow('robots:manage')
@Controller('api/v1/robots')
export class RobotsController {
  constructor(private readonly robots: RobotsService) {}

  @Get()
  @ApiOkResponse({ type: [RobotViewDto] })
  list(@CurrentUser() p: Principal) {
    return this.robots.list(p);
  }

  @Post()
  @ApiCreatedResponse({ type: RobotViewDto })
  create(@CurrentUser() p: Principal, @Body() dto: CreateRobotDto) {
    return this.robots.create(p, dto);
  }

  /** Removes the robot; its queued messages then fail ("robot removed"). */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@CurrentUser() p: Principal, @Param() { id }: IdParam) {
    await this.robots.remove(p, id);
  }
}
