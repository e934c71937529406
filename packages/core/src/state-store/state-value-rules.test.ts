import { describe, expect, it } from 'vitest';
import { InvalidStateValueError, ValueTooLargeError } from '../errors.ts';
import { DEFAULT_MAX_VALUE_BYTES, decodeStateValue, encodeStateValue } from './state-value-rules.ts';

function valueError(value: unknown, maxBytes = 0): InvalidStateValueError {
  try {
    encodeStateValue(value, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStateValueError);
    expect((error as InvalidStateValueError).code).toBe('invalid_state_value');
    return error as InvalidStateValueError;
  }
  throw new Error('expected encodeStateValue to refuse the value');
}

function tooLarge(value: unknown, maxBytes: number): ValueTooLargeError {
  try {
    encodeStateValue(value, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ValueTooLargeError);
    expect((error as ValueTooLargeError).code).toBe('value_too_large');
    return error as ValueTooLargeError;
  }
  throw new Error('expected encodeStateValue to refuse the value as too large');
}

describe('encodeStateValue: accepted values', () => {
  it('returns the JSON text of strings, numbers, booleans, arrays and objects', () => {
    expect(encodeStateValue('x', 0)).toBe('"x"');
    expect(encodeStateValue(0, 0)).toBe('0');
    expect(encodeStateValue(-1.5, 0)).toBe('-1.5');
    expect(encodeStateValue(false, 0)).toBe('false');
    expect(encodeStateValue([], 0)).toBe('[]');
    expect(encodeStateValue({ a: 1, b: [true, 'x', { c: {} }] }, 0)).toBe('{"a":1,"b":[true,"x",{"c":{}}]}');
  });

  it('allows null nested inside objects and arrays', () => {
    expect(encodeStateValue({ a: null, b: [null, 1] }, 0)).toBe('{"a":null,"b":[null,1]}');
  });

  it('allows an object with a null prototype', () => {
    const value = Object.create(null) as Record<string, unknown>;
    value.k = 'v';
    expect(encodeStateValue(value, 0)).toBe('{"k":"v"}');
  });

  it('allows a shared, non-circular object referenced twice', () => {
    const shared = { x: 1 };
    expect(encodeStateValue({ a: shared, b: [shared, { c: shared }] }, 0)).toBe(
      '{"a":{"x":1},"b":[{"x":1},{"c":{"x":1}}]}',
    );
  });

  it('round-trips through decodeStateValue', () => {
    const value = { cursor: '2024-01-01T00:00:00Z', ids: [1, 2, 3], nested: { ok: true, none: null } };
    expect(decodeStateValue(encodeStateValue(value, DEFAULT_MAX_VALUE_BYTES))).toEqual(value);
  });
});

describe('encodeStateValue: refused values', () => {
  it('refuses null and undefined at the top', () => {
    expect(valueError(null).message).toBe('state value must not be null; delete the key to remove it');
    expect(valueError(undefined).message).toBe('state value must not be undefined; delete the key to remove it');
  });

  it('refuses non-finite numbers, naming the path', () => {
    expect(valueError(Number.NaN).message).toBe('state value must be finite JSON: NaN at $');
    expect(valueError({ a: [1, 2, { b: Number.POSITIVE_INFINITY }] }).message).toBe(
      'state value must be finite JSON: Infinity at $.a[2].b',
    );
    expect(valueError([Number.NEGATIVE_INFINITY]).message).toBe('state value must be finite JSON: -Infinity at $[0]');
  });

  it('refuses a Date with a hint to use toISOString()', () => {
    expect(valueError({ when: new Date(0) }).message).toBe(
      'state value must be JSON: found a Date at $.when; convert it with toISOString()',
    );
  });

  it('refuses a Map and a Set', () => {
    expect(valueError({ m: new Map() }).message).toBe('state value must be JSON: found a Map at $.m');
    expect(valueError([new Set([1])]).message).toBe('state value must be JSON: found a Set at $[0]');
  });

  it('refuses class instances, naming the class', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expect(valueError(new Point(1, 2)).message).toBe('state value must be JSON: found a Point at $');
    expect(valueError({ a: [0, 1, { b: new Point(1, 2) }] }).message).toBe(
      'state value must be JSON: found a Point at $.a[2].b',
    );
  });

  it('refuses functions, bigints and symbols', () => {
    expect(valueError({ fn: () => 1 }).message).toBe('state value must be JSON: found a function at $.fn');
    expect(valueError({ n: 10n }).message).toBe('state value must be JSON: found a bigint at $.n');
    expect(valueError([Symbol('s')]).message).toBe('state value must be JSON: found a symbol at $[0]');
  });

  it('refuses nested undefined in objects and arrays', () => {
    expect(valueError({ a: { b: undefined } }).message).toBe('state value must be JSON: undefined at $.a.b');
    expect(valueError([1, undefined]).message).toBe('state value must be JSON: undefined at $[1]');
  });

  it('refuses the holes of a sparse array, which JSON.stringify would quietly turn into null', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the test
    expect(valueError([1, , 3]).message).toBe('state value must be JSON: undefined at $[1]');
  });

  it('refuses circular objects and arrays', () => {
    const object: Record<string, unknown> = { a: 1 };
    object.self = object;
    expect(valueError(object).message).toBe('state value must not be circular: $.self refers to itself');
    const array: unknown[] = [1];
    array.push({ back: array });
    expect(valueError(array).message).toBe('state value must not be circular: $[1].back refers to itself');
  });

  it('checks the shape before the size', () => {
    expect(valueError({ big: 'x'.repeat(100), bad: Number.NaN }, 10).message).toBe(
      'state value must be finite JSON: NaN at $.bad',
    );
  });
});

describe('encodeStateValue: size limit', () => {
  it('accepts a value exactly at the limit and refuses one byte over', () => {
    const value = 'a'.repeat(8); // JSON "aaaaaaaa" is 10 bytes
    expect(encodeStateValue(value, 10)).toBe(`"${value}"`);
    const error = tooLarge(value, 9);
    expect(error.sizeBytes).toBe(10);
    expect(error.limitBytes).toBe(9);
    expect(error.details).toEqual({ size_bytes: 10, limit_bytes: 9 });
  });

  it('names the size, the limit, state.max_value_bytes and the offload backend', () => {
    const error = tooLarge({ payload: 'x'.repeat(200) }, 100);
    expect(error.message).toBe(
      'state value is 214 bytes of JSON, over the limit of 100 bytes (state.max_value_bytes); ' +
        'store large payloads through the offload backend (state.offload.backend) or raise the limit',
    );
  });

  it('measures UTF-8 bytes, not UTF-16 code units', () => {
    // "€" is 3 bytes in UTF-8, 1 code unit; "𝄞" is 4 bytes, 2 code units.
    expect(encodeStateValue('€', 5)).toBe('"€"');
    expect(tooLarge('€', 4).sizeBytes).toBe(5);
    expect(encodeStateValue('𝄞', 6)).toBe('"𝄞"');
    expect(tooLarge('𝄞', 5).sizeBytes).toBe(6);
    expect(tooLarge({ k: '€'.repeat(10) }, 30).sizeBytes).toBe(38);
  });

  it('enforces the default limit of 65 536 bytes inclusively', () => {
    expect(DEFAULT_MAX_VALUE_BYTES).toBe(65_536);
    expect(encodeStateValue('a'.repeat(65_534), DEFAULT_MAX_VALUE_BYTES)).toHaveLength(65_536);
    expect(tooLarge('a'.repeat(65_535), DEFAULT_MAX_VALUE_BYTES).sizeBytes).toBe(65_537);
  });

  it('disables the limit when it is 0', () => {
    const value = 'é'.repeat(1_000_000);
    expect(encodeStateValue(value, 0)).toHaveLength(1_000_002);
  });
});
