import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal, Roles } from '@app/auth';
import { type DiskFile, UploadSlot } from '../common/uploads';
import { CreateUnitDto, ImportQuery, UnitQuery, UpdateUnitDto } from './dto/unit.dto';
import { ImportUploadErrorFilter } from './import-upload.filter';
import { UnitsService } from './units.service';

@ApiTags('units')
@Controller('api/v1/units')
export class UnitsController {
  constructor(private readonly units: UnitsService) {}

  /** Every role; each sees only the units in its scope. */
  @Get()
  list(@CurrentUser() p: Principal, @Query() q: UnitQuery) {
    return this.units.list(p, q);
  }

  @Get(':id')
  get(@CurrentUser() p: Principal, @Param('id', ParseIntPipe) id: number) {
    return this.units.get(p, id);
  }

  @Roles('admin')
  @Post()
  create(@CurrentUser() p: Principal, @Body() dto: CreateUnitDto) {
    return this.units.create(p, dto);
  }

  /**
   * .csv or .xlsx in multipart field `file` (streamed to disk, read within IMPORT_LIMITS); answers with a
   * per-row report. `?dryRun=true` checks only.
   */
  @Roles('admin')
  @Post('import')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @UseFilters(ImportUploadErrorFilter)
  @UseInterceptors(UploadSlot, FileInterceptor('file'))
  import(@CurrentUser() p: Principal, @UploadedFile() file: DiskFile | undefined, @Query() q: ImportQuery) {
    return this.units.importFile(p, file, { dryRun: q.dryRun === 'true' || q.dryRun === '1' });
  }

  @Roles('admin')
  @Patch(':id')
  update(@CurrentUser() p: Principal, @Param('id', ParseIntPipe) id: number, @Body() dto: UpdateUnitDto) {
    return this.units.update(p, id, dto);
  }

  @Roles('admin')
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentUser() p: Principal, @Param('id', ParseIntPipe) id: number) {
    return this.units.remove(p, id);
  }
}
