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
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ApiPage } from '../common/api-docs';
import { CreateUnitDto, ImportQuery, UnitQuery, UpdateUnitDto } from './dto/unit.dto';
import { ImportReportDto, UnitViewDto } from './dto/unit-view.dto';
import { type DiskFile, UploadSlot } from '../common/uploads';
import { ImportUploadErrorFilter } from './import-upload.filter';
import { UnitsService } from './units.service';

@ApiTags('units')
@Controller('api/v1/units')
export class UnitsController {
  constructor(private readonly units: UnitsService) {}

  /** Every role; each sees only the units in its scope. */
  @Get()
  @ApiPage(UnitViewDto)
  list(@CurrentUser() p: Principal, @Query() q: UnitQuery) {
    return this.units.list(p, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: UnitViewDto })
  get(@CurrentUser() p: Principal, @Param('id', ParseIntPipe) id: number) {
    return this.units.get(p, id);
  }

  @Allow('units:manage')
  @Post()
  @ApiCreatedResponse({ type: UnitViewDto })
  create(@CurrentUser() p: Principal, @Body() dto: CreateUnitDto) {
    return this.units.create(p, dto);
  }

  /**
   * .csv or .xlsx in multipart field `file` (streamed to disk, read within IMPORT_LIMITS); answers with a
   * per-row report. `?dryRun=true` checks only.
   */
  @Allow('units:manage')
  @Post('import')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'A .csv or .xlsx sheet of units' },
      },
    },
  })
  @ApiOkResponse({ type: ImportReportDto })
  @UseFilters(ImportUploadErrorFilter)
  @UseInterceptors(UploadSlot, FileInterceptor('file'))
  import(@CurrentUser() p: Principal, @UploadedFile() file: DiskFile | undefined, @Query() q: ImportQuery) {
    return this.units.importFile(p, file, { dryRun: q.dryRun === 'true' || q.dryRun === '1' });
  }

  @Allow('units:manage')
  @Patch(':id')
  @ApiOkResponse({ type: UnitViewDto })
  update(@CurrentUser() p: Principal, @Param('id', ParseIntPipe) id: number, @Body() dto: UpdateUnitDto) {
    return this.units.update(p, id, dto);
  }

  @Allow('units:manage')
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  remove(@CurrentUser() p: Principal, @Param('id', ParseIntPipe) id: number) {
    return this.units.remove(p, id);
  }
}
