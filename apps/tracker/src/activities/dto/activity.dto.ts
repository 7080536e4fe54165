import { Transform, Type } from 'class-transformer';
import {
  buildMessage,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { ACTIVITY_STATUSES, type ActivityStatus, isIsoDate, PROVINCE_CODES } from '@app/compliance';
import { PageQuery } from '../../common/pagination';
import { IsOmittable } from '../../common/validation';
import { normalizePersonKey } from '../activity-kinds';

/** Largest id a 32-bit integer column holds; bigger ids would reach the database as an error. */
export const MAX_ID = 2_147_483_647;

/** A real calendar date written YYYY-MM-DD (2025-02-29 is refused). Rule name matches the zh catalogue. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isISO8601',
      validator: {
        validate: (value) => isIsoDate(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a calendar date written YYYY-MM-DD`,
          options,
        ),
      },
    },
    options,
  );
}

/**
 * A requirement key (lower_snake_case). Whether the unit's rule set has it, and which values a choice
 * field takes, is the requirement registry's to say (RuleSetsService), checked by the service.
 */
export function IsRequirementKey(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(40)(target, key);
    Matches(/^[a-z][a-z0-9_]*$/)(target, key);
  };
}

/** A value of a choice field (e.g. standardLevel); the kind catalogue lists the allowed ones. */
function IsChoice(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(40)(target, key);
  };
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const Trim = () => Transform(trim);

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
