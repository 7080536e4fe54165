/*
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
 * set (no I, O, Z, S, V), the last one a check character over the first 17.
 */

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

/** The check character for the first 17 characters (which must already be in the charset). */
export function creditCodeCheckChar(first17: string): string {
  if (!/^[0-9A-HJ-NP-RTUW-Y]{17}$/.test(first17)) {
    throw new RangeError(`expected 17 characters of the GB 32100 charset, got ${JSON.stringify(first17)}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  const check = 31 - (sum % 31);
  return CHARSET[check === 31 ? 0 : check];
}

/** Completes 17 characters into a valid 18-character code (handy for fixtures). */
export function withCheckChar(first17: string): string {
  return first17 + creditCodeCheckChar(first17);
}

/** Upper case only: lower-case input is rejected, so callers normalise it explicitly if they wish. */
export function isValidCreditCode(code: string): boolean {
  return typeof code === 'string' && SHAPE.test(code) && creditCodeCheckChar(code.slice(0, 17)) === code[17];
}
