import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ACTIVITY_STATUSES, type ActivityStatus, PROVINCE_CODES } from '@app/compliance';
import { PageQuery } from '../../common/pagination';
import { IsOmittable, IsCalendarDate, IsRequirementKey, MAX_ID, Trim } from '../../common/validators';
import { normalizePersonKey } from '../activity-kinds';

/** A value of a choice field (e.g. standardLevel); the kind catalogue lists the allowed ones. */
function IsChoice(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(40)(target, key);
  };
}

/** Category-specific fields (the columns); which ones a kind takes is checked by the service against the catalogue. */
export class ActivityCategoryFields {
  // exchange_events
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  location?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  participants?: number | null;

  // standard_proposals
  @IsOptional()
  @IsChoice()
  standardLevel?: string | null;

  @IsOptional()
  @IsChoice()
  standardKind?: string | null;

  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  standardNumber?: string | null;

  // national_papers
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  journal?: string | null;

  @IsOptional()
  @IsChoice()
  journalLevel?: string | null;

  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  issn?: string | null;

  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  authors?: string | null;

  // trained_personnel
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  personName?: string | null;

  /** Certificate or ID number; stored normalised so one person counts once. */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? normalizePersonKey(value) : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  personKey?: string | null;

  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  certificate?: string | null;

  // work_updates
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  recipient?: string | null;

  // media_reports
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  outlet?: string | null;

  @IsOptional()
  @IsChoice()
  outletLevel?: string | null;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(1000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  url?: string | null;
}

export class CreateActivityDto extends ActivityCategoryFields {
  /** Administrators name the unit; a unit user's own unit is used (another id is refused). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  unitId?: number;

  @IsRequirementKey()
  requirement: string;

  /** Calendar date in Asia/Shanghai, inside the unit's cycle and not after today. */
  @IsCalendarDate()
  date: string;

  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(5000)
  description?: string | null;
}

/** Every field optional; requirement, date and title cannot be cleared (null is refused). */
export class UpdateActivityDto extends ActivityCategoryFields {
  @IsOmittable()
  @IsRequirementKey()
  requirement?: string;

  @IsOmittable()
  @IsCalendarDate()
  date?: string;

  @IsOmittable()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(5000)
  description?: string | null;
}

export class ActivityQuery extends PageQuery {
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

  @IsOptional()
  @IsIn(ACTIVITY_STATUSES)
  status?: ActivityStatus;

  /** Activity date from (inclusive). */
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  /** Activity date to (inclusive). */
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  /** Words in the title or description. */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  q?: string;
}
