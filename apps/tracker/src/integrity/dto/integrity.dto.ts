import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PROVINCE_CODES } from '@app/compliance';
import { MATCH_STATUSES, type MatchStatus } from '@app/db';
import { PageQuery } from '../../common/pagination';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class DuplicatesQuery extends PageQuery {
  /** Only matches with a side in this province (of the caller's scope). */
  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: string;

  /** `open` (default) or `explained`. */
  @IsOptional()
  @IsIn(MATCH_STATUSES)
  status?: MatchStatus;
}

/** Why the same thing is claimed twice (e.g. two reports of one joint event), kept with the match. */
export class ExplainDuplicateDto {
  /** Trimmed, 1 to 1000 characters. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  note: string;
}
