import type { ProvinceCode, UnitKind, UnitStatus } from '@app/compliance';
import type { ImportReport, ImportRowError, UnitView } from '../units.service';
import type { UnitTargetView } from '../unit-targets.service';

export class UnitContactDto {
  name: string;
  email: string;
  /** Language of the unit's report mails to this contact. */
  locale?: 'zh' | 'en';
}

/** A demonstration unit (`implements` keeps this description in step with the service's view). */
export class UnitViewDto implements UnitView {
  id: number;
  name: string;
  /** 统一社会信用代码 (GB 32100-2015). */
  creditCode: string;
  /** Two-digit province code. */
  province: ProvinceCode;
  industry: string;
  kind: UnitKind;
  /** Program of the unit's rule set. */
  program: string;
  ruleSetVersion: number;
  /** First day of the construction cycle, YYYY-MM-DD. */
  cycleStart: string;
  /** Last day of the construction cycle, YYYY-MM-DD. */
  cycleEnd: string;
  contacts: UnitContactDto[];
  status: UnitStatus;
  createdAt: Date;
  updatedAt: Date;
}

export class ImportRowErrorDto implements ImportRowError {
  /** Row of the sheet as the user sees it: the header is row 1, the first data row is row 2. */
  row: number;
  field: string;
  message: string;
  messageZh: string;
}

/** The per-row report of a units import. */
export class ImportReportDto implements ImportReport {
  dryRun: boolean;
  /** Non-blank data rows read. */
  rows: number;
  /** Rows that passed every check (created unless dryRun). */
  valid: number;
  created: number;
  errors: ImportRowErrorDto[];
  /** Columns whose header matched no field; their values were not imported. */
  ignoredColumns: string[];
}

export class UnitTargetViewDto implements UnitTargetView {
  requirement: string;
  /** First day of the unit's period the target is for, YYYY-MM-DD. */
  periodStart: string;
  minimum: number;
  reason: string;
}

/** The unit's whole set of targets. */
export class UnitTargetsViewDto {
  targets: UnitTargetViewDto[];
}
