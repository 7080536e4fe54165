import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LOCALES, type Locale } from '@app/reporting/i18n';
import {
  LEAGUE_BY,
  LEAGUE_ORDERS,
  LEAGUE_SORTS,
  LEAGUE_YEAR_MAX,
  LEAGUE_YEAR_MIN,
  type LeagueBy,
  type LeagueFigures,
  type LeagueMeeting,
  type LeagueOrder,
  type LeagueRow,
  type LeagueSort,
  type LeagueView,
} from '../league.service';
import { ScopeRequirementDto } from './compliance-view.dto';

/** What a league table groups by, for which year, in which order. */
export class LeagueQuery {
  /** province (default), cohort (the year the cycle started) or industry. */
  @IsOptional()
  @IsIn(LEAGUE_BY)
  by?: LeagueBy;

  /** Calendar year (default the current one): units whose cycle touches it, each in its period of it. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(LEAGUE_YEAR_MIN)
  @Max(LEAGUE_YEAR_MAX)
  year?: number;

  /** Sort field of the group rows (default allMet: the share meeting every requirement). */
  @IsOptional()
  @IsIn(LEAGUE_SORTS)
  sort?: LeagueSort;

  /** desc (default; asc for sort=group). */
  @IsOptional()
  @IsIn(LEAGUE_ORDERS)
  order?: LeagueOrder;

  /** json (default), xlsx or csv. */
  @IsOptional()
  @IsIn(['json', 'xlsx', 'csv'])
  format?: 'json' | 'xlsx' | 'csv';

  /** Language of a spreadsheet's headers and group names (default the caller's). */
  @IsOptional()
  @IsIn(LOCALES)
  lang?: Locale;
}

/** Registered with the document (openapi.ts): referenced only from maps. */
export class LeagueMeetingDto implements LeagueMeeting {
  met: number;
  of: number;
  /** met / of; null when no unit has the requirement. */
  share: number | null;
}

export class LeagueRowDto implements LeagueRow, LeagueFigures {
  /** group: one province, cohort or industry; others: the groups outside the caller's provinces together; national: every unit. */
  @ApiProperty({ enum: ['group', 'others', 'national'] })
  kind: 'group' | 'others' | 'national';
  /** Province code, cohort year or industry; null for the aggregates. */
  key: string | null;
  units: number;
  /** Per requirement key. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath('LeagueMeetingDto') } })
  requirements: Record<string, LeagueMeetingDto>;
  /** Units meeting every requirement. */
  allMet: number;
  allMetShare: number | null;
  /** Verified counts of the units' requirements in their periods, summed. */
  verified: number;
  verifiedPerUnit: number | null;
  /** Activities whose latest review is dated in the year. */
  reviewed: number;
  rejected: number;
  /** rejected / reviewed. */
  rejectedShare: number | null;
  /** Median hours from submitted to reviewed. */
  medianReviewHours: number | null;
}

/** Groups of units with their shares meeting the requirements and review figures; never a unit. */
export class LeagueViewDto implements LeagueView {
  @ApiProperty({ enum: LEAGUE_BY })
  by: LeagueBy;
  year: number;
  /** The date picking each unit's period (today in the current year, else 31 December). */
  at: string;
  today: string;
  @ApiProperty({ enum: LEAGUE_SORTS })
  sort: LeagueSort;
  @ApiProperty({ enum: LEAGUE_ORDERS })
  order: LeagueOrder;
  /** Provinces whose groups are shown one by one; null: all. */
  provinces: string[] | null;
  requirements: ScopeRequirementDto[];
  /** Group rows in order, then the other provinces' aggregate (supervisors), then the national row. */
  rows: LeagueRowDto[];
}
