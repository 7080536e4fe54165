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

/**
 * Status pills (a status named in words on its colour): the same hues, deep enough for white text, amber
 * with dark text, every pair at least 4.5:1 (WCAG AA for normal text; palette.spec.ts checks).
 */
export const STATUS_PILLS: Readonly<Record<RequirementStatus, { background: string; text: string }>> = {
  met: { background: '#2e7d32', text: '#ffffff' },
  on_track: { background: '#01579b', text: '#ffffff' },
  at_risk: { background: '#f9a825', text: '#1f2933' },
  shortfall: { background: '#c62828', text: '#ffffff' },
  failed: { background: '#8e0000', text: '#ffffff' },
};

/** WCAG 2 contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

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
