import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import type {
  MonthPoint,
  Period,
  ProvinceCode,
  RequirementResult,
  RequirementStatus,
  UnitKind,
  UnitStatus,
} from '@app/compliance';
import { LocalizedTextDto } from '../../common/responses.dto';
import type {
  ComplianceTrend,
  ScopeComplianceView,
  ScopeRequirementCell,
  ScopeRow,
  TrendMonth,
  UnitComplianceView,
  UnitSummary,
} from '../compliance.types';

/** A period of a unit's cycle: a (clipped) year, or the whole cycle. */
export class PeriodDto implements Period {
  /** YYYY-MM-DD */
  start: string;
  /** YYYY-MM-DD */
  end: string;
  /** Calendar months the period touches. */
  months: number;
  /** Index of the period in the cycle, 0-based. */
  index: number;
}

/** The unit fields every compliance view carries. */
export class UnitSummaryDto implements UnitSummary {
  id: number;
  name: string;
  province: ProvinceCode;
  industry: string;
  kind: UnitKind;
  cycleStart: string;
  cycleEnd: string;
  program: string;
  ruleSetVersion: number;
  status: UnitStatus;
}

/** One requirement's standing in the period. */
export class RequirementResultDto implements RequirementResult {
  key: string;
  label: LocalizedTextDto;
  shortLabel: LocalizedTextDto;
  /** Noun for the counted thing. */
  unit: LocalizedTextDto;
  period: PeriodDto;
  /** The effective minimum: the unit's target for the period if it has one, else the rule set's. */
  minimum: number;
  /** The rule set's (pro-rated) minimum, whatever the target. */
  ruleMinimum: number;
  /** True when a unit target sets `minimum`. */
  targeted: boolean;
  verified: number;
  /** Submitted, awaiting review. */
  pending: number;
  /** Where the count should be by today to finish on time. */
  pace: number;
  /** Still needed: minimum - verified, at least 0. */
  remaining: number;
  /** Of `remaining`, how many are submitted and waiting for review. */
  remainingPending: number;
  /** Days from today to the period's last day. */
  daysLeft: number;
  status: RequirementStatus;
}

export class RuleSetRefDto {
  program: string;
  version: number;
  name: LocalizedTextDto;
}

export class MonthPointDto implements MonthPoint {
  /** YYYY-MM */
  month: string;
  /** Verified so far, up to the month's end. */
  verified: number;
  /** Pace at that same day. */
  pace: number;
}

/** One unit's standing in the period picked by `at`. */
export class UnitComplianceViewDto implements UnitComplianceView {
  /** The date that picked the period (defaults to today). */
  at: string;
  today: string;
  period: PeriodDto;
  requirements: RequirementResultDto[];
  /** The worst status of its requirements. */
  overall: RequirementStatus;
  unit: UnitSummaryDto;
  ruleSet: RuleSetRefDto;
  /** Every annual period of the cycle (pass one's start as `at`). */
  periods: PeriodDto[];
  /** Per requirement key: cumulative verified count and pace at each month end of its period. */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { $ref: getSchemaPath('MonthPointDto') } },
  })
  series: Record<string, MonthPointDto[]>;
  /** Set when the period is closed: the figures are the snapshot stored at closing. */
  closed?: ClosedInfoDto | null;
}

export class ClosedInfoDto {
  closedAt: string;
  /** E-mail of who closed it. */
  closedBy: string | null;
}

/** Registered with the document (openapi.ts): referenced only from maps. */
export class ScopeRequirementCellDto implements ScopeRequirementCell {
  verified: number;
  pending: number;
  /** Effective minimum (the unit's target if it has one). */
  minimum: number;
  ruleMinimum: number;
  targeted: boolean;
  pace: number;
  remaining: number;
  remainingPending: number;
  daysLeft: number;
  status: RequirementStatus;
}

export class ScopeRowDto implements ScopeRow {
  unit: UnitSummaryDto;
  /** The unit's annual period at `at`. */
  period: PeriodDto;
  overall: RequirementStatus;
  /** Per requirement key. */
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath('ScopeRequirementCellDto') },
  })
  requirements: Record<string, ScopeRequirementCellDto>;
  /** True when the unit's period is closed (figures from its snapshot). */
  closed?: boolean;
}

export class ScopeRequirementDto {
  key: string;
  label: LocalizedTextDto;
  shortLabel: LocalizedTextDto;
  unit: LocalizedTextDto;
}

export class MeetingDto {
  /** Units meeting the requirement. */
  met: number;
  /** Units that have the requirement. */
  of: number;
}

/** Units per overall status. */
export class StatusCountsDto implements Record<RequirementStatus, number> {
  met: number;
  on_track: number;
  at_risk: number;
  shortfall: number;
  failed: number;
}

/** Over every unit matching the filter except `status`. */
export class ScopeTotalsDto {
  units: number;
  /** Units per overall status. */
  byStatus: StatusCountsDto;
  /** Per requirement key: how many units meet it out of those that have it. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath('MeetingDto') } })
  meeting: Record<string, MeetingDto>;
}

/** Every unit in the caller's scope (filtered, paged) with its standing per requirement. */
export class ScopeComplianceViewDto implements ScopeComplianceView {
  at: string;
  today: string;
  /** Column headers: every requirement of the rule sets in scope, in rule-set order. */
  requirements: ScopeRequirementDto[];
  /** Worst overall status first, then unit name, then id. */
  rows: ScopeRowDto[];
  /** Rows matching the filter (status included), before paging. */
  total: number;
  page: number;
  pageSize: number;
  totals: ScopeTotalsDto;
}

export class TrendMonthDto implements TrendMonth {
  /** YYYY-MM */
  month: string;
  /** Activities verified, dated in this month. */
  verified: number;
  /** Activities submitted and awaiting review, dated in this month. */
  submitted: number;
  /** Verified per requirement key. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' } })
  byRequirement: Record<string, number>;
}

/** Activities per month of a year in the caller's scope. */
export class ComplianceTrendDto implements ComplianceTrend {
  year: number;
  months: TrendMonthDto[];
}
