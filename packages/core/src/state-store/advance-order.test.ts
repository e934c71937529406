import { describe, expect, it } from 'vitest';
import { AdvanceTypeMismatchError, InvalidStateValueError } from '../errors.ts';
import { assertAdvanceable, compareCodePoints, isAdvance } from './advance-order.ts';
import type { StateValue } from './state-value-rules.ts';

const CLEF = '𝄞'; // U+1D11E, stored in UTF-16 as \ud834\udd1e
const HIGH_BMP = '\uffef'; // U+FFEF, below U+1D11E by code point

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('isAdvance with numbers', () => {
  it('advances only to a strictly greater number', () => {
    expect(isAdvance('wm', 10, 11)).toBe(true);
    expect(isAdvance('wm', 10, 10)).toBe(false);
    expect(isAdvance('wm', 10, 9)).toBe(false);
  });

  it('compares by numeric value, with negatives and fractions', () => {
    expect(isAdvance('wm', -5, -4.5)).toBe(true);
    expect(isAdvance('wm', 0.1, 0.09)).toBe(false);
    expect(isAdvance('wm', 9, 10)).toBe(true); // "10" < "9" as text, but not as numbers
  });
});

describe('isAdvance with strings', () => {
  it('orders ISO-8601 timestamps chronologically', () => {
    expect(isAdvance('wm', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')).toBe(true);
    expect(isAdvance('wm', '2024-01-02T00:00:00Z', '2024-01-01T23:59:59Z')).toBe(false);
    expect(isAdvance('wm', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')).toBe(false);
  });

  it('treats a longer string with the same prefix as greater', () => {
    expect(isAdvance('wm', 'abc', 'abcd')).toBe(true);
    expect(isAdvance('wm', 'abcd', 'abc')).toBe(false);
  });

  it('orders by code point where JavaScript < orders by UTF-16 code unit', () => {
    expect(CLEF < HIGH_BMP).toBe(true); // JS says the astral character sorts first
    expect(isAdvance('wm', HIGH_BMP, CLEF)).toBe(true);
    expect(isAdvance('wm', CLEF, HIGH_BMP)).toBe(false);
  });
});

describe('isAdvance type mismatch', () => {
  it('refuses comparing values of different or unorderable types', () => {
    const cases: [StateValue, StateValue, string, string][] = [
      [1, '2', 'a number', 'a string'],
      ['2024', 2025, 'a string', 'a number'],
      [[1], 2, 'an array', 'a number'],
      [true, false, 'a boolean', 'a boolean'],
    ];
    for (const [stored, candidate, storedType, candidateType] of cases) {
      const error = thrown(() => isAdvance('cursor', stored, candidate));
      expect(error).toBeInstanceOf(AdvanceTypeMismatchError);
      expect(error).toMatchObject({
        code: 'advance_type_mismatch',
        message:
          'advance on state key "cursor" compares numbers with numbers and strings with strings; ' +
          `the stored value is ${storedType} and the candidate is ${candidateType}`,
      });
    }
  });
});

describe('compareCodePoints', () => {
  it('returns zero for equal strings and signs for simple ones', () => {
    expect(compareCodePoints('', '')).toBe(0);
    expect(compareCodePoints(`a${CLEF}`, `a${CLEF}`)).toBe(0);
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
    expect(compareCodePoints('b', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('', 'a')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
  });

  it('puts astral characters after the whole BMP, anywhere in the string', () => {
    expect(compareCodePoints(CLEF, HIGH_BMP)).toBeGreaterThan(0);
    expect(compareCodePoints(HIGH_BMP, CLEF)).toBeLessThan(0);
    expect(compareCodePoints(`x${CLEF}`, `x${HIGH_BMP}`)).toBeGreaterThan(0);
    expect(compareCodePoints('😀', '\ue000')).toBeGreaterThan(0);
  });

  it('compares the characters after an equal astral character', () => {
    expect(compareCodePoints(`${CLEF}a`, `${CLEF}b`)).toBeLessThan(0);
    expect(compareCodePoints(`${CLEF}${CLEF}`, `${CLEF}${HIGH_BMP}`)).toBeGreaterThan(0);
    expect(compareCodePoints(CLEF, '𝄟')).toBeLessThan(0); // U+1D11E < U+1D11F
  });

  it('agrees with a reference code-point comparison on many generated strings', () => {
    const alphabet = ['a', 'z', '0', '\u00e9', '\ud7ff', '\ue000', HIGH_BMP, '\uffff', CLEF, '😀', '\u{10ffff}'];
    let seed = 12345;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    const randomString = () =>
      Array.from({ length: next() % 5 }, () => alphabet[next() % alphabet.length] as string).join('');
    const reference = (a: string, b: string) => {
      const x = Array.from(a, (c) => c.codePointAt(0) as number);
      const y = Array.from(b, (c) => c.codePointAt(0) as number);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        if (x[i] !== y[i]) return Math.sign((x[i] as number) - (y[i] as number));
      }
      return Math.sign(x.length - y.length);
    };
    for (let n = 0; n < 2_000; n++) {
      const a = randomString();
      const b = randomString();
      expect(Math.sign(compareCodePoints(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(reference(a, b));
    }
  });
});

describe('assertAdvanceable', () => {
  it('accepts numbers and strings', () => {
    expect(() => assertAdvanceable('wm', 0)).not.toThrow();
    expect(() => assertAdvanceable('wm', '2024-01-01T00:00:00Z')).not.toThrow();
  });

  it('refuses booleans, arrays and objects', () => {
    const cases: [StateValue, string][] = [
      [true, 'a boolean'],
      [[1, 2], 'an array'],
    ];
    for (const [candidate, description] of cases) {
      const error = thrown(() => assertAdvanceable('wm', candidate));
      expect(error).toBeInstanceOf(InvalidStateValueError);
      expect(error).toMatchObject({
        code: 'invalid_state_value',
        message: `advance on state key "wm" takes a number or a string, got ${description}`,
      });
    }
    expect(thrown(() => assertAdvanceable('wm', { at: 1 }))).toMatchObject({ code: 'invalid_state_value' });
  });
});
