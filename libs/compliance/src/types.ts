/**
 * Types of the compliance engine. Pure data: no Nest, no ORM.
 * Dates are calendar dates in Asia/Shanghai written as 'YYYY-MM-DD'.
 */

export type IsoDate = string;

export type ActivityStatus = 'draft' | 'submitted' | 'verified' | 'rejected';

export interface LocalizedText {
  zh: string;
  en: string;
}

/** Holds when attributes[field] is one of `in` (a missing value never holds). */
export interface QualificationCondition {
  field: string;
  in: string[];
}

/** One way to qualify: every condition holds. An empty alternative lets everything qualify. */
export type QualificationAlternative = QualificationCondition[];

export interface Requirement {
  key: string;
  label: LocalizedText;
  /** Short label for tables, charts and sentences (defaults to `label`). */
  shortLabel: LocalizedText;
  /** Noun for the counted thing, e.g. {zh:'次', en:'events'}. */
  unit: LocalizedText;
  minimum: number;
  period: 'annual' | 'cycle';
  /** SPEC §3 v2: an activity qualifies when any alternative holds (all of its conditions). */
  qualifies: QualificationAlternative[];
  /** When set, count distinct values of this attribute (e.g. 'personKey') instead of records. */
  distinctBy?: string;
  /** An activity can be submitted for review only with at least one evidence file (default true). */
  evidenceRequired: boolean;
}

export interface RuleSet {
  program: string;
  version: number;
  name: LocalizedText;
  /** 'calendar_year': periods are calendar years clipped to the cycle; 'project_year': years from cycle start. */
  periodMode: 'calendar_year' | 'project_year';
  prorate: boolean;
  requirements: Requirement[];
  /** Days before a period ends that units still needing something are reminded, largest first (default 60, 30, 7). */
  reminderDays: number[];
  /** Free text: where the numbers come from, caveats. Not used by the engine. */
  note?: string;
}

export interface Cycle {
  start: IsoDate;
  end: IsoDate;
}

export interface Period {
  start: IsoDate;
  end: IsoDate;
  /**
   * Calendar months the period touches (1..12; a project year touching 13 counts as 12).
   * For the whole-cycle period of a 'cycle' requirement: all months the cycle touches.
   */
  months: number;
  /** Index of the period in the cycle, 0-based (0 for the whole-cycle period). */
  index: number;
}

/** What the engine needs of one activity. */
export interface ActivityFact {
  requirement: string;
  date: IsoDate;
  status: ActivityStatus;
  attributes: Record<string, string | null | undefined>;
}

/** Counts for one requirement within one period, as produced by grouped SQL or by countFacts(). */
/**
 * SPEC §3 v2 "Unit targets": a minimum from the unit's task book replacing the rule set's (pro-rated)
 * minimum of `requirement` in the period starting on `periodStart`.
 */
export interface UnitTarget {
  requirement: string;
  periodStart: IsoDate;
  minimum: number;
}

export interface RequirementCounts {
  verified: number;
  /** Submitted, awaiting review (for distinctBy: distinct keys not already counted as verified). */
  pending: number;
}

export type RequirementStatus = 'met' | 'on_track' | 'at_risk' | 'shortfall' | 'failed';

export interface RequirementResult {
  key: string;
  label: LocalizedText;
  shortLabel: LocalizedText;
  unit: LocalizedText;
  period: Period;
  /** The effective minimum: the unit's target for the period if it has one, else the rule set's. */
  minimum: number;
  /** The rule set's (pro-rated) minimum, whatever the target. */
  ruleMinimum: number;
  /** True when a unit target sets `minimum`. */
  targeted: boolean;
  verified: number;
  pending: number;
  pace: number;
  /** Still needed (SPEC §3 v2): minimum - verified, at least 0. */
  remaining: number;
  /** Of `remaining`, how many are submitted and waiting for review. */
  remainingPending: number;
  /** Days from today to the period's last day; 0 on that day and after it. */
  daysLeft: number;
  status: RequirementStatus;
}

export interface UnitCompliance {
  today: IsoDate;
  period: Period;
  requirements: RequirementResult[];
  overall: RequirementStatus;
}
