import type { QualificationCondition, Requirement, RuleSet } from '@app/compliance';
import { LocalizedTextDto } from '../common/responses.dto';

/** Holds when the activity's `field` is one of `in`. */
export class QualificationConditionDto implements QualificationCondition {
  field: string;
  in: string[];
}

export class RequirementDto implements Requirement {
  key: string;
  label: LocalizedTextDto;
  shortLabel: LocalizedTextDto;
  /** Noun for the counted thing. */
  unit: LocalizedTextDto;
  minimum: number;
  period: 'annual' | 'cycle';
  /** An activity qualifies when every condition of any one alternative holds. */
  qualifies: QualificationConditionDto[][];
  /** When set, distinct values of this field are counted instead of records. */
  distinctBy?: string;
  /** Submitting for review needs at least one evidence file. */
  evidenceRequired: boolean;
}

/** A program's rules at one version (config/rule-sets). */
export class RuleSetDto implements RuleSet {
  program: string;
  version: number;
  name: LocalizedTextDto;
  /** calendar_year: periods are calendar years clipped to the cycle; project_year: years from cycle start. */
  periodMode: 'calendar_year' | 'project_year';
  prorate: boolean;
  requirements: RequirementDto[];
  /** Days before a period ends that units still needing something are reminded, largest first (the file's; see the program's reminders for an override). */
  reminderDays: number[];
  note?: string;
}
