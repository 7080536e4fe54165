import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { UNIT_STATUSES, type UnitStatus } from '@app/compliance';
import { IsCalendarDate, trim } from '../../common/validators';

/**
 * A lifecycle step: the new status, the date it took effect, why, and for accepted / not accepted the
 * evaluation result (score, conclusion, evaluator). Allowed steps are checked by the service.
 */
export class UnitStatusChangeDto {
  @IsIn(UNIT_STATUSES)
  status: UnitStatus;

  /** YYYY-MM-DD, not after today. */
  @IsCalendarDate()
  date: string;

  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;

  /** Evaluation score 0–100 (required for accepted / not accepted). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  score?: number;

  /** Evaluation conclusion (required for accepted / not accepted). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  conclusion?: string;

  /** Who evaluated (required for accepted / not accepted). */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  evaluator?: string;
}

export class UnitStatusChangeViewDto {
  id: number;
  fromStatus: UnitStatus;
  toStatus: UnitStatus;
  date: string;
  reason: string;
  score: number | null;
  conclusion: string | null;
  evaluator: string | null;
  /** E-mail of who made the change. */
  actor: string | null;
  createdAt: string;
}

export class UnitStatusHistoryDto {
  unitId: number;
  status: UnitStatus;
  /** The statuses the unit may move to now. */
  next: UnitStatus[];
  history: UnitStatusChangeViewDto[];
}
