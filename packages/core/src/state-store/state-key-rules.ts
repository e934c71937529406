import { InvalidStateKeyError } from '../errors.ts';

export const MAX_STATE_KEY_CHARACTERS = 512;

/**
 * SPEC §5: a key is a string of 1–512 characters (Unicode code points), any Unicode including `/`.
 * NUL and unpaired surrogates are refused because PostgreSQL text cannot store them faithfully.
 */
export function validateStateKey(key: unknown): string {
  return validateKeyText(key, 'state key');
}

/**
 * SPEC §17: the item key of an item-keyed mapped task (what its `stateKey(item)` returned) follows
 * the rules of a state key: a string of 1–512 characters, no NUL, well-formed Unicode.
 */
export function validateStateItemKey(itemKey: unknown): string {
  return validateKeyText(itemKey, 'item key (what stateKey(item) returns)');
}

function validateKeyText(key: unknown, what: string): string {
  if (typeof key !== 'string') {
    throw new InvalidStateKeyError(`${what} must be a string, got ${describeType(key)}`);
  }
  const characters = countCodePoints(key);
  if (characters < 1 || characters > MAX_STATE_KEY_CHARACTERS) {
    throw new InvalidStateKeyError(`${what} must be 1–${MAX_STATE_KEY_CHARACTERS} characters, got ${characters}`);
  }
  if (key.includes('\u0000')) {
    throw new InvalidStateKeyError(`${what} must not contain the NUL character (\\u0000)`);
  }
  if (!key.isWellFormed()) {
    throw new InvalidStateKeyError(`${what} must be well-formed Unicode (it has an unpaired surrogate)`);
  }
  return key;
}

export function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'Object'}`;
  return `a ${typeof value}`;
}
