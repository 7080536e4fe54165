import { STATUS_ORDER, STATUS_PILLS, STATUS_TINTS, contrastRatio } from './palette';

describe('status colours are readable (WCAG AA, 4.5:1 for normal text)', () => {
  it('measures contrast the WCAG way', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    // The at-risk pill as it was: white on amber.
    expect(contrastRatio('#ffffff', '#f9a825')).toBeCloseTo(1.97, 2);
  });

  it.each(STATUS_ORDER)('the %s pill’s text on its colour', (status) => {
    const { background, text } = STATUS_PILLS[status];
    expect(contrastRatio(text, background)).toBeGreaterThanOrEqual(4.5);
  });

  // The pages' text colours (--fg and --muted in app.css) on the tinted table cells.
  it.each(STATUS_ORDER)('dark text and muted text on the %s tint', (status) => {
    expect(contrastRatio('#1f2933', STATUS_TINTS[status])).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#566170', STATUS_TINTS[status])).toBeGreaterThanOrEqual(4.5);
  });
});
