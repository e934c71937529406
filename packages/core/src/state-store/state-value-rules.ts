import { InvalidStateValueError, JsonTooDeepError, ValueTooLargeError } from '../errors.ts';
import { MAX_JSON_DEPTH } from './json-depth-rule.ts';
import { describeType } from './state-key-rules.ts';

/** A JSON value other than `null` at the top (SPEC §5). Nested `null` is ordinary JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type StateValue = NonNullable<JsonValue>;

export const DEFAULT_MAX_VALUE_BYTES = 65_536;

/**
 * Checks a value against SPEC §5 and returns its JSON text. `JSON.stringify` alone would quietly
 * turn `NaN` into `null`, drop `undefined` and flatten a `Map` to `{}`, so the value is walked first
 * and every such case is refused with the path to the offending part.
 * `maxBytes` of 0 disables the size limit.
 */
export function encodeStateValue(value: unknown, maxBytes: number): string {
  if (value === null || value === undefined) {
    throw new InvalidStateValueError(
      `state value must not be ${value === null ? 'null' : 'undefined'}; delete the key to remove it`,
    );
  }
  assertJson(value, '$', new Set(), 0);
  const json = JSON.stringify(value);
  if (maxBytes > 0) {
    // Cheap bound first: UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (json.length * 3 > maxBytes) {
      const size = Buffer.byteLength(json, 'utf8');
      if (size > maxBytes) throw new ValueTooLargeError(size, maxBytes);
    }
  }
  return json;
}

export function decodeStateValue(json: string): StateValue {
  return JSON.parse(json) as StateValue;
}

function assertJson(value: unknown, path: string, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InvalidStateValueError(`state value must be finite JSON: ${value} at ${path}`);
      }
      return;
    case 'object': {
      if (value === null) return;
      if (depth >= MAX_JSON_DEPTH) throw new JsonTooDeepError('state value', MAX_JSON_DEPTH);
      if (ancestors.has(value)) {
        throw new InvalidStateValueError(`state value must not be circular: ${path} refers to itself`);
      }
      ancestors.add(value);
      if (Array.isArray(value)) {
        // An index loop, not forEach: forEach skips the holes of a sparse array, which JSON.stringify writes as null.
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          if (item === undefined) {
            throw new InvalidStateValueError(`state value must be JSON: undefined at ${path}[${index}]`);
          }
          assertJson(item, `${path}[${index}]`, ancestors, depth + 1);
        }
      } else {
        const prototype = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) {
          const hint = value instanceof Date ? '; convert it with toISOString()' : '';
          throw new InvalidStateValueError(`state value must be JSON: found ${describeType(value)} at ${path}${hint}`);
        }
        for (const [key, item] of Object.entries(value)) {
          if (item === undefined) {
            throw new InvalidStateValueError(`state value must be JSON: undefined at ${path}.${key}`);
          }
          assertJson(item, `${path}.${key}`, ancestors, depth + 1);
        }
      }
      ancestors.delete(value);
      return;
    }
    default:
      throw new InvalidStateValueError(`state value must be JSON: found ${describeType(value)} at ${path}`);
  }
}
