import { AdvanceTypeMismatchError, InvalidStateValueError } from '../errors.ts';
import { describeType } from './state-key-rules.ts';
import type { StateValue } from './state-value-rules.ts';

/**
 * SPEC §7: `advance` moves a value only forward. Numbers compare by value; strings (ISO-8601
 * timestamps included) by Unicode code point, which is not JavaScript's `<` (that compares UTF-16
 * code units and orders astral characters before U+E000–U+FFFF).
 */
export function isAdvance(key: string, stored: StateValue, candidate: StateValue): boolean {
  if (typeof stored === 'number' && typeof candidate === 'number') return candidate > stored;
  if (typeof stored === 'string' && typeof candidate === 'string') {
    return compareCodePoints(candidate, stored) > 0;
  }
  throw new AdvanceTypeMismatchError(key, describeType(stored), describeType(candidate));
}

export function assertAdvanceable(key: string, candidate: StateValue): void {
  if (typeof candidate !== 'number' && typeof candidate !== 'string') {
    throw new InvalidStateValueError(
      `advance on state key "${key}" takes a number or a string, got ${describeType(candidate)}`,
    );
  }
}

export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
