import type { IsoDate, LocalizedText, RequirementStatus } from '@app/compliance';
import type { Locale } from '../i18n';

/** An inline image of a mail: the HTML shows it as `cid:<cid>`, the mail attaches the PNG. */
export interface MailImage {
  cid: string;
  width: number;
  height: number;
}

export interface UnitReportRequirement {
  key: string;
  label: LocalizedText;
  /** Few-word label for chart axes. */
  shortLabel: LocalizedText;
  /** Noun of the counted thing, e.g. 次 / events. */
  unit: LocalizedText;
  verified: number;
  pending: number;
  minimum: number;
  pace: number;
  /** Still needed (SPEC §3 v2): minimum − verified, at least 0. */
  remaining: number;
  /** Of `remaining`, how many are submitted and waiting for review. */
  remainingPending: number;
  /** Days from asOf to periodEnd; 0 on that day and after it. */
  daysLeft: number;
  status: RequirementStatus;
  /** Last day of the requirement's period: the deadline for what is still needed. */
  periodEnd: IsoDate;
}

/** Everything a unit's monthly report shows; numbers come from the compliance service. */
export interface UnitReportModel {
  locale: Locale;
  /** Report month 'YYYY-MM'. */
  period: string;
  asOf: IsoDate;
  recipientName?: string | null;
  dashboardUrl: string;
  unit: { id: number; name: string; province: string };
  compliancePeriod: { start: IsoDate; end: IsoDate };
  overall: RequirementStatus;
  requirements: UnitReportRequirement[];
  rejected: { id: number; date: IsoDate; requirement: LocalizedText; title: string; reason: string | null }[];
  /** All requirements of the period added up, month by month: the line chart. */
  cumulative: { points: { month: string; verified: number; pace: number }[]; minimum: number };
  charts: { bars: MailImage; cumulative: MailImage };
}

export interface DigestCell {
  verified: number;
  pending: number;
  minimum: number;
  remaining: number;
  /** Of `remaining`, how many are submitted and waiting for review. */
  remainingPending: number;
  /** Days from asOf to the period's last day; 0 on that day and after it. */
  daysLeft: number;
  status: RequirementStatus;
}

export interface DigestRow {
  unit: { id: number; name: string; province: string };
  overall: RequirementStatus;
  cells: Record<string, DigestCell>;
}

/** A supervisor's monthly digest of the units in scope. */
export interface DigestModel {
  locale: Locale;
  period: string;
  asOf: IsoDate;
  recipientName?: string | null;
  dashboardUrl: string;
  /** Province codes in scope; null for all. */
  provinces: string[] | null;
  /**
   * Columns; labels are the rule set's short ones, so a table of six requirements fits a mail; `unit`
   * is the noun of the counted thing (篇 / papers) for the still-needed lines.
   */
  requirements: { key: string; label: LocalizedText; unit: LocalizedText }[];
  /** Worst overall status first; a builder may pass only the rows the mail shows (see rowsTotal). */
  rows: DigestRow[];
  /** Units in the table in all, when `rows` holds only those shown (default rows.length). */
  rowsTotal?: number;
  /** Units with something still needed in all, when `rows` holds only those shown (default: counted in rows). */
  neededTotal?: number;
  totals: {
    units: number;
    byStatus: Record<RequirementStatus, number>;
    meeting: Record<string, { met: number; of: number }>;
  };
  /** Oldest submission first; the mail lists the first MAX_QUEUE_ROWS. */
  queue: {
    id: number;
    unitName: string;
    requirement: LocalizedText;
    title: string;
    date: IsoDate;
    submittedAt: Date | null;
    waitingDays: number;
  }[];
  queueTotal: number;
  charts: { share: MailImage; status: MailImage };
  attachmentName: string;
}

export interface MailContent {
  subject: string;
  html: string;
  text: string;
}
