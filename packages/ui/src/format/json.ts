import type { JsonValue } from '../api/types.ts';

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

/** A one-line preview, cut at `max` characters. */
export function jsonPreview(value: unknown, max = 80): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type JsonParse =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly message: string };

/**
 * Reads what someone typed as a state value: any JSON but a top-level null (the API refuses it, as
 * it does non-finite numbers, which JSON cannot spell anyway).
 */
export function parseStateValue(text: string): JsonParse {
  if (text.trim() === '') return { ok: false, message: 'Type a JSON value, e.g. {"done": 0} or "text" or 42.' };
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${(error as Error).message}` };
  }
  if (value === null) return { ok: false, message: 'A state value cannot be null; delete the key instead.' };
  return { ok: true, value };
}

/** Reads a DAG run's conf: a JSON object (or nothing: `{}`). */
export function parseConf(
  text: string,
): { ok: true; value: Record<string, JsonValue> } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    const value = JSON.parse(text) as JsonValue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, message: 'The conf must be a JSON object, e.g. {"items": 20}.' };
    }
    return { ok: true, value };
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${(error as Error).message}` };
  }
}
