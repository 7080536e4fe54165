import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { IsCalendarDate } from '../common/validators';

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
  @IsCalendarDate()
  from?: string;

  /** Last day included (YYYY-MM-DD, Asia/Shanghai). */
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}
