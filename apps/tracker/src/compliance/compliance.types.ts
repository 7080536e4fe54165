import type {
  IsoDate,
  LocalizedText,
  MonthPoint,
  Period,
  RequirementStatus,
  UnitCompliance,
} from '@app/compliance';
import type { Unit } from '@app/db';

/** The unit fields every compliance view carries. */
export type UnitSummary = Pick<
  Unit,
  | 'id'
  | 'name'
  | 'province'
  | 'industry'
  | 'kind'
  | 'cycleStart'
  | 'cycleEnd'
  | 'program'
  | 'ruleSetVersion'
  | 'status'
>;

/** One unit's standing: the engine's result plus what a page or an e-mail needs around it. */
export interface UnitComplianceView extends UnitCompliance {
  /** The date that picked the period (defaults to today). */
  at: IsoDate;
  unit: UnitSummary;
  ruleSet: { program: string; version: number; name: LocalizedText };
  /** Every annual period of the cycle, so a UI can offer them (pass one's start as `at`). */
  periods: Period[];
  /** Per requirement key: cumulative verified count and pace at each month end of its period, up to today. */
  series: Record<string, MonthPoint[]>;
  /** Set when the period is closed: the figures are the snapshot stored at closing. */
  closed?: ClosedInfo | null;
}

/** When and by whom a period was closed (its figures are then frozen). */
export interface ClosedInfo {
  closedAt: string;
  closedBy: string | null;
}

/** What a period close stores: the unit's view of the period at closing. */
export type PeriodSnapshot = Pick<
  UnitComplianceView,
  'today' | 'period' | 'requirements' | 'overall' | 'ruleSet' | 'series'
>;

export interface ScopeRequirementCell {
  verified: number;
  pending: number;
  /** Effective minimum (the unit's target if it has one). */
  minimum: number;
  ruleMinimum: number;
  targeted: boolean;
  pace: number;
  /** Still needed, and how many of those are waiting for review (SPEC §3 v2). */
  remaining: number;
  remainingPending: number;
  daysLeft: number;
  status: RequirementStatus;
}

export interface ScopeRow {
  unit: UnitSummary;
  /** The unit's annual period at `at` (calendar years are clipped to each unit's cycle). */
  period: Period;
  overall: RequirementStatus;
  requirements: Record<string, ScopeRequirementCell>;
  /** True when the unit's period is closed (figures from its snapshot). */
  closed?: boolean;
}

export interface ScopeComplianceView {
  at: IsoDate;
  today: IsoDate;
  /** Column headers: every requirement of the rule sets in scope, in rule-set order. */
  requirements: { key: string; label: LocalizedText; shortLabel: LocalizedText; unit: LocalizedText }[];
  /** Worst overall status first, then unit name (zh collation), then id. */
  rows: ScopeRow[];
  /** Rows matching the filter (status included), before paging. */
  total: number;
  page: number;
  pageSize: number;
  /**
   * Over every unit matching the filter except `status` (so a UI can show a count per status tab):
   * units per overall status, and per requirement how many units meet it out of those that have it.
   */
  totals: {
    units: number;
    byStatus: Record<RequirementStatus, number>;
    meeting: Record<string, { met: number; of: number }>;
  };
}

/** Which units a scope view covers. Every field narrows; absent fields do not. */
export interface ScopeFilter {
  /** Provinces the caller may see; null = all (admin), [] = none. */
  provinces: string[] | null;
  province?: string;
  industry?: string;
  /** Overall status of the row; narrows rows/total, not totals. */
  status?: RequirementStatus;
  /** Year the cycle started (批次). */
  cohort?: number;
  /** Only these units (a unit user's own unit, or a chosen list). */
  unitIds?: number[];
  /** Unit record status (active, under_evaluation, accepted, revoked). */
  unitStatuses?: Unit['status'][];
}

export interface TrendMonth {
  /** 'YYYY-MM' */
  month: string;
  /** Activities verified, dated in this month (qualifying or not). */
  verified: number;
  /** Activities submitted and awaiting review, dated in this month. */
  submitted: number;
  /** Verified per requirement key. */
  byRequirement: Record<string, number>;
}

export interface ComplianceTrend {
  year: number;
  months: TrendMonth[];
}
