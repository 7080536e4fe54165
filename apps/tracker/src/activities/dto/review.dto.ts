import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PROVINCE_CODES } from '@app/compliance';
import { PageQuery } from '../../common/pagination';
import { IsRequirementKey, MAX_ID, trim } from '../../common/validators';

export class RejectDto {
  /** Told to the unit, so it can correct and resubmit. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

/** "Request changes": the activity goes back to the unit with this comment as the reason. */
export class RequestChangesDto {
  /** Told to the unit (it becomes the reject reason, hence at most 1000 characters), trimmed. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  comment: string;
}

export const REVIEW_ACTIONS = ['verify', 'reject'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export class BulkReviewDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  ids: number[];

  @IsIn(REVIEW_ACTIONS)
  action: ReviewAction;

  /** Required when rejecting; the same reason goes to every activity. */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason?: string;
}

export class ReviewQueueQuery extends PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;

  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: string;

  @IsOptional()
  @IsRequirementKey()
  requirement?: string;
}
