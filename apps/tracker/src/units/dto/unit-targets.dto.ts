import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, trim } from '../../common/validators';

/** At most this many targets per unit (a task book sets a few per requirement and year). */
export const MAX_TARGETS = 200;
export const MAX_TARGET_MINIMUM = 10_000;
export const MAX_TARGET_REASON = 500;

/**
 * One target (SPEC §3 v2): the minimum of `requirement` in the unit's period starting on `periodStart`.
 * Whether the requirement is one of the unit's rule set and the date starts one of its periods is
 * checked by the service, which knows the unit.
 */
export class UnitTargetDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  requirement: string;

  @IsCalendarDate()
  periodStart: string;

  @IsInt()
  @Min(0)
  @Max(MAX_TARGET_MINIMUM)
  minimum: number;

  /** Why the task book differs from the program (e.g. its number and page); trimmed. */
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TARGET_REASON)
  reason: string;
}

/** PUT /api/v1/units/:id/targets: the unit's whole set of targets (an empty list removes them all). */
export class UnitTargetsDto {
  @IsArray()
  @ArrayMaxSize(MAX_TARGETS)
  @ValidateNested({ each: true })
  @Type(() => UnitTargetDto)
  targets: UnitTargetDto[];
}
