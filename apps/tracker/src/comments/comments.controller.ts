import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ParseIdPipe } from '../activities/parse-id.pipe';
import { ApiFileResponse } from '../common/api-docs';
import { type DiskFile, UploadSlot } from '../common/uploads';
import { DownloadQuery } from '../evidence/evidence.controller';
import { contentDisposition } from '../evidence/evidence-files';
import { CommentsService } from './comments.service';
import { CommentUploadErrorFilter } from './comment-upload.filter';
import { CommentUploadDto, CommentViewDto, CreateCommentDto } from './dto/comment.dto';

@ApiTags('activities')
@Controller('api/v1/activities/:id/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Get()
  @ApiOkResponse({ type: [CommentViewDto], description: 'The conversation, oldest first' })
  list(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.comments.list(p, id);
  }

  /**
   * JSON `{ body }`, or multipart/form-data with `body` and one file in `file` (streamed to disk and
   * checked like evidence; at most MAX_UPLOADS_PER_USER uploads at once per user, else 429).
   */
  @Allow('activities:comment')
  @Post()
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: CommentUploadDto })
  @ApiCreatedResponse({ type: CommentViewDto })
  @UseFilters(CommentUploadErrorFilter)
  @UseInterceptors(UploadSlot, FileInterceptor('file'))
  create(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateCommentDto,
    @UploadedFile() file: DiskFile | undefined,
  ) {
    return this.comments.create(p, id, dto.body, file);
  }

  @Get(':commentId/attachment')
  @ApiFileResponse('application/octet-stream', 'The file, with its detected Content-Type')
  async attachment(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Param('commentId', ParseIdPipe) commentId: number,
    @Query() q: DownloadQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const d = await this.comments.download(p, id, commentId);
    const inline = q.inline === '1' && d.inlineAllowed;
    res.setHeader('Content-Type', d.mimeType);
    res.setHeader('Content-Length', String(d.size));
    res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', d.name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    return new StreamableFile(d.stream);
  }
}
