import { describe, expect, it } from 'vitest';
import { InvalidStateKeyError } from '../errors.ts';
import { countCodePoints, MAX_STATE_KEY_CHARACTERS, validateStateKey } from './state-key-rules.ts';

function keyError(key: unknown): InvalidStateKeyError {
  try {
    validateStateKey(key);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStateKeyError);
    expect((error as InvalidStateKeyError).code).toBe('invalid_state_key');
    return error as InvalidStateKeyError;
  }
  throw new Error(`expected validateStateKey to refuse ${String(key)}`);
}

const CLEF = '𝄞'; // U+1D11E: one code point, two UTF-16 code units

describe('validateStateKey', () => {
  it('returns valid keys unchanged, including slashes and any Unicode', () => {
    for (const key of ['a', 'watermark', 'dag/run/task', 'ключ', '日本語', `${CLEF} 🌊`, ' ', '%2F']) {
      expect(validateStateKey(key)).toBe(key);
    }
  });

  it('accepts exactly 512 characters', () => {
    expect(MAX_STATE_KEY_CHARACTERS).toBe(512);
    const key = 'k'.repeat(512);
    expect(validateStateKey(key)).toBe(key);
  });

  it('refuses 513 characters with the exact message', () => {
    expect(keyError('k'.repeat(513)).message).toBe('state key must be 1–512 characters, got 513');
  });

  it('refuses the empty key with the exact message', () => {
    expect(keyError('').message).toBe('state key must be 1–512 characters, got 0');
  });

  it('counts code points, not UTF-16 code units', () => {
    const key = CLEF.repeat(512);
    expect(key.length).toBe(1024);
    expect(validateStateKey(key)).toBe(key);
    expect(keyError(CLEF.repeat(513)).message).toBe('state key must be 1–512 characters, got 513');
  });

  it('refuses non-strings, naming what it got', () => {
    expect(keyError(42).message).toBe('state key must be a string, got a number');
    expect(keyError(null).message).toBe('state key must be a string, got null');
    expect(keyError(['a']).message).toBe('state key must be a string, got an array');
    expect(keyError(new Map([['key', 'a']])).message).toBe('state key must be a string, got a Map');
    expect(keyError(Symbol('k')).message).toBe('state key must be a string, got a symbol');
  });

  it('refuses a key containing NUL', () => {
    expect(keyError('a\u0000b').message).toBe('state key must not contain the NUL character (\\u0000)');
  });

  it('refuses lone high and low surrogates', () => {
    const expected = 'state key must be well-formed Unicode (it has an unpaired surrogate)';
    expect(keyError('abc\ud834').message).toBe(expected);
    expect(keyError('\udd1eabc').message).toBe(expected);
    expect(keyError('\udd1e\ud834').message).toBe(expected);
  });
});

describe('countCodePoints', () => {
  it('counts astral characters once and lone surrogates once', () => {
    expect(countCodePoints('')).toBe(0);
    expect(countCodePoints(`a${CLEF}b`)).toBe(3);
    expect(countCodePoints('\ud834x')).toBe(2);
  });
});
