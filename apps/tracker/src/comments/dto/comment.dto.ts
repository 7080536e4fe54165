import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { CommentKind, Role } from '@app/db';
import type { CommentAttachmentView, CommentView } from '../comment.view';
import { trim } from '../../common/validators';

/** The longest comment, in characters (after trimming). */
export const MAX_COMMENT_LENGTH = 4000;

/** A comment: JSON `{ body }`, or multipart/form-data with the field `body` and optionally one `file`. */
export class CreateCommentDto {
  /** The message, trimmed; 1 to 4000 characters. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_COMMENT_LENGTH)
  body: string;
}

/** A comment as the API documents it: `body` (JSON or a form field) and, in multipart/form-data only, one `file`. */
export class CommentUploadDto {
  /** The message, trimmed; 1 to 4000 characters. */
  @ApiProperty({ minLength: 1, maxLength: MAX_COMMENT_LENGTH })
  body: string;

  /** multipart/form-data only: one file, checked like evidence (type by content, size limit). */
  @ApiPropertyOptional({ type: 'string', format: 'binary' })
  file?: unknown;
}

/** The file of a comment. */
export class CommentAttachmentViewDto implements CommentAttachmentView {
  name: string;
  /** Detected from the content, not taken from the upload. */
  mimeType: string;
  /** Bytes. */
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  /** Download address; add `?inline=1` to show a PDF or image in the browser. */
  url: string;
}

/** One message of an activity's conversation. */
export class CommentViewDto implements CommentView {
  id: number;
  activityId: number;
  /** `comment`, or `changes` when a reviewer requested changes with it. */
  kind: CommentKind;
  body: string;
  authorId: number | null;
  /** The author's name when writing. */
  authorName: string;
  /** The author's role when writing: `unit` (the unit's side) or `supervisor` / `admin` (reviewers). */
  authorRole: Role;
  createdAt: Date;
  attachment: CommentAttachmentViewDto | null;
}
