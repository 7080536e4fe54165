import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
  UploadedFiles,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { IsIn, IsOptional } from 'class-validator';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ParseIdPipe } from '../activities/parse-id.pipe';
import { ApiFileResponse } from '../common/api-docs';
import { EvidenceUploadDto, EvidenceViewDto } from './dto/evidence-view.dto';
import { type DiskFile, UploadSlot } from '../common/uploads';
import { contentDisposition, MAX_FILES_PER_UPLOAD } from './evidence-files';
import { EvidenceService } from './evidence.service';
import { UploadErrorFilter } from './upload-error.filter';

export class DownloadQuery {
  /** 1: show PDFs and images in the browser; anything else is always a download. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(['0', '1'])
  inline?: '0' | '1';
}

@ApiTags('evidence')
@Controller('api/v1')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  /**
   * multipart/form-data, files in the field `files` (limits from UPLOAD_MAX_BYTES, see EvidenceModule),
   * streamed to disk; at most MAX_UPLOADS_PER_USER at once per user (else 429).
   */
  @Allow('activities:record')
  @Post('activities/:id/evidence')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: EvidenceUploadDto })
  @ApiCreatedResponse({ type: [EvidenceViewDto] })
  @UseFilters(UploadErrorFilter)
  @UseInterceptors(UploadSlot, FilesInterceptor('files', MAX_FILES_PER_UPLOAD))
  upload(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @UploadedFiles() files: DiskFile[] | undefined,
  ) {
    return this.evidence.upload(p, id, files);
  }

  @Get('activities/:id/evidence')
  @ApiOkResponse({ type: [EvidenceViewDto] })
  list(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.evidence.list(p, id);
  }

  @Get('evidence/:id')
  @ApiFileResponse('application/octet-stream', 'The file, with its detected Content-Type')
  async download(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: DownloadQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const d = await this.evidence.download(p, id);
    const inline = q.inline === '1' && d.inlineAllowed;
    res.setHeader('Content-Type', d.file.mimeType);
    res.setHeader('Content-Length', String(d.file.size));
    res.setHeader(
      'Content-Disposition',
      contentDisposition(inline ? 'inline' : 'attachment', d.file.originalName),
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    return new StreamableFile(d.stream);
  }

  @Allow('activities:record')
  @Delete('evidence/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.evidence.remove(p, id);
  }
}
