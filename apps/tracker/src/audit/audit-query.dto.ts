import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../common/pagination';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class AuditQuery extends PageQuery {
  /** create, update, delete, submit, verify, reject, login, ... */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  action?: string;

  /** unit, user, activity, ... */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  entity?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  actorId?: number;

  /** First day included (YYYY-MM-DD, Asia/Shanghai). */
  @IsOptional()
  @IsString()
  @Matches(ISO_DATE, { message: 'from must be YYYY-MM-DD' })
  @IsISO8601({ strict: true, strictSeparator: true })
  from?: string;

  /** Last day included (YYYY-MM-DD, Asia/Shanghai). */
  @IsOptional()
  @IsString()
  @Matches(ISO_DATE, { message: 'to must be YYYY-MM-DD' })
  @IsISO8601({ strict: true, strictSeparator: true })
  to?: string;
}
