import { Body, Controller, Get, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ApiPage } from '../common/api-docs';
import { CreateUserDto, UpdateUserDto, UserQuery } from './dto/user.dto';
import { UserViewDto } from './dto/user-view.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Allow('users:manage')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiPage(UserViewDto)
  list(@Query() q: UserQuery) {
    return this.users.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: UserViewDto })
  get(@Param('id', ParseIntPipe) id: number) {
    return this.users.get(id);
  }

  @Post()
  @ApiCreatedResponse({ type: UserViewDto })
  create(@CurrentUser() p: Principal, @Body() dto: CreateUserDto) {
    return this.users.create(p, dto);
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserViewDto })
  update(@CurrentUser() p: Principal, @Param('id', ParseIntPipe) id: number, @Body() dto: UpdateUserDto) {
    return this.users.update(p, id, dto);
  }
}
