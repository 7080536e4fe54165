import { creditCodeCheckChar, isValidCreditCode, withCheckChar } from './credit-code';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const VALID = '91350100M000100Y43';

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts a published valid code', () => {
    expect(isValidCreditCode(VALID)).toBe(true);
    expect(creditCodeCheckChar(VALID.slice(0, 17))).toBe('3');
  });

  it('computes the check character by the standard weights', () => {
    // By hand: 9·1 + 1·3 + 1·9 + 1·27 + 6·20 + 3·8 + 7·24 + 3·10 + 4·30 + 1·28 = 538;
    // 538 mod 31 = 11; 31 - 11 = 20 → 'L' (the 21st character of the charset).
    expect(withCheckChar('91110000600037341')).toBe('91110000600037341L');
    expect(isValidCreditCode('91110000600037341L')).toBe(true);
    expect(isValidCreditCode('91110000600037341K')).toBe(false);
  });

  it('maps a remainder of 0 (check value 31) to the character 0', () => {
    expect(withCheckChar('00000000000000000')).toBe('000000000000000000');
    expect(isValidCreditCode('000000000000000000')).toBe(true);
  });

  it('accepts codes completed by withCheckChar', () => {
    for (const first17 of [
      '91110108MA01ABCDE',
      '12100000400000624',
      'Y1310115MA1K3R0TX',
      '5144030006146873N',
    ]) {
      expect(isValidCreditCode(withCheckChar(first17))).toBe(true);
    }
  });

  it('detects every single-character substitution', () => {
    for (let i = 0; i < 18; i++) {
      for (const c of CHARSET) {
        if (c === VALID[i]) continue;
        expect(isValidCreditCode(VALID.slice(0, i) + c + VALID.slice(i + 1))).toBe(false);
      }
    }
  });

  it('rejects lower case, even when the check would match', () => {
    const code = withCheckChar('91110108MA01ABCDE');
    expect(isValidCreditCode(code.toLowerCase())).toBe(false);
  });

  it.each(['I', 'O', 'Z', 'S', 'V'])('rejects the excluded letter %s whatever the check character', (bad) => {
    for (const check of CHARSET) {
      expect(isValidCreditCode(`91350100${bad}00010${bad}Y4${check}`)).toBe(false);
    }
  });

  it.each(['', '91350100M000100Y4', '91350100M000100Y430', ' 91350100M000100Y43', '91350100M000100Y4-'])(
    'rejects the malformed %j',
    (code) => {
      expect(isValidCreditCode(code)).toBe(false);
    },
  );

  it('withCheckChar refuses input that is not 17 charset characters', () => {
    expect(() => withCheckChar('9135010')).toThrow(RangeError);
    expect(() => withCheckChar('91350100I00010034')).toThrow(RangeError);
  });
});
