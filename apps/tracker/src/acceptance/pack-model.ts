import type {
  ActivityStatus,
  IsoDate,
  LocalizedText,
  RequirementStatus,
  ScoringTable,
  TableScore,
} from '@app/compliance';

/** What the acceptance pack is built from: read once, before the first byte is sent. */

export interface PackRequirement {
  key: string;
  label: string;
  shortLabel: string;
  unit: string;
  /** The period this figure is counted over: the year's, or the whole cycle for per-cycle requirements. */
  scope: 'annual' | 'cycle';
  start: IsoDate;
  end: IsoDate;
  /** Effective minimum (the unit's target when it has one). */
  minimum: number;
  ruleMinimum: number;
  targeted: boolean;
  verified: number;
  pending: number;
  status: RequirementStatus;
}

export interface PackPeriod {
  index: number;
  start: IsoDate;
  end: IsoDate;
  /** Folder and heading of the period: its first year (YYYY). */
  year: string;
  /** The period has not ended yet (its figures are so far). */
  running: boolean;
  requirements: PackRequirement[];
}

export interface PackFile {
  evidenceId: number;
  originalName: string;
  storedName: string;
  size: number;
  sha256: string;
  /** Path inside the zip ('' when missing). */
  path: string;
  /** Not in the store (or not at its recorded size): listed, left out of the zip. */
  missing: boolean;
}

export interface PackActivity {
  id: number;
  requirement: string;
  requirementLabel: string;
  date: IsoDate;
  title: string;
  status: ActivityStatus;
  reviewer: string | null;
  reviewedAt: Date | null;
  /** Index of the period the date falls in (the nearest one for a date outside the cycle). */
  period: number;
  files: PackFile[];
}

export interface PackData {
  unit: {
    id: number;
    name: string;
    creditCode: string;
    province: string;
    provinceName: string;
    industry: string;
    kind: string;
    status: string;
    contacts: { name: string; email: string }[];
  };
  cycle: { start: IsoDate; end: IsoDate };
  ruleSet: { program: string; version: number; name: LocalizedText };
  /** The day the figures are taken at (Asia/Shanghai). */
  today: IsoDate;
  createdAt: Date;
  periods: PackPeriod[];
  /** Live activities of the unit, by date. */
  activities: PackActivity[];
  scoring: { table: ScoringTable; score: TableScore } | null;
}

/** Marks text the unit writes itself. */
export const TO_FILL = '【请单位填写】';

export const GENERATOR = 'standards-demo-tracker acceptance pack';

const DATE_TIME = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** An instant as Asia/Shanghai wall time, the zone every user works in: '2026-03-01 08:00:00'. */
export function shanghaiTime(value: Date | null | undefined): string {
  return value && !Number.isNaN(value.getTime()) ? DATE_TIME.format(value) : '';
}
