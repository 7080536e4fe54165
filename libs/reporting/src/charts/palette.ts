import type { RequirementStatus } from '@app/compliance';

/** Font of every chart: registered from @fontsource/noto-sans-sc on the server, loaded by CSS in pages. */
export const FONT_FAMILY = "'Noto Sans SC', sans-serif";

/** Status colours (red / amber / green), shared by charts, tables and e-mails. */
export const STATUS_COLORS: Readonly<Record<RequirementStatus, string>> = {
  met: '#2e7d32',
  on_track: '#0288d1',
  at_risk: '#f9a825',
  shortfall: '#e53935',
  failed: '#8e0000',
};

/** Light tints of STATUS_COLORS for table-cell backgrounds, readable under dark text. */
export const STATUS_TINTS: Readonly<Record<RequirementStatus, string>> = {
  met: '#e8f5e9',
  on_track: '#e1f5fe',
  at_risk: '#fff8e1',
  shortfall: '#ffebee',
  failed: '#f8d7d7',
};

/** Best first, the order legends and tables list statuses in. */
export const STATUS_ORDER: readonly RequirementStatus[] = [
  'met',
  'on_track',
  'at_risk',
  'shortfall',
  'failed',
];

/** Colours of the data series. */
export const SERIES_COLORS = {
  verified: '#2e7d32',
  pending: '#f9a825',
  minimum: '#546e7a',
  pace: '#0288d1',
  share: '#1565c0',
} as const;
