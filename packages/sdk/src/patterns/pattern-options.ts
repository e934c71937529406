import { MAX_STATE_KEY_CHARACTERS, parseDurationMs, validateStateKey } from '@tidemark/core/task-process';
import type { TaskContext } from '../context/task-context.ts';
import { PatternOptionError } from '../errors.ts';

/** Refuses anything that is not the options object, and option names the helper does not know. */
export function checkOptionsObject(where: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new PatternOptionError(`${where} takes an options object ({ ${known.join(', ')} }), got ${shown(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new PatternOptionError(
        `${where} has no option "${name}" (it takes ${known.map((k) => `"${k}"`).join(', ')})`,
      );
    }
  }
}

export function checkContext(where: string, ctx: unknown): asserts ctx is TaskContext {
  const candidate = ctx as Partial<TaskContext> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || !candidate.taskState || !candidate.signal) {
    throw new PatternOptionError(`${where} takes the task's context (the ctx your task function receives) first`);
  }
}

/** A state key for a helper; `reserve` characters are kept free for suffixes the helper appends. */
export function checkHelperKey(where: string, key: unknown, reserve = 0): string {
  if (key === undefined || key === '') {
    throw new PatternOptionError(`${where} needs a key: the state key that holds its progress, e.g. { key: "files" }`);
  }
  try {
    validateStateKey(key);
  } catch (error) {
    throw new PatternOptionError(`${where}: ${(error as Error).message}`);
  }
  const limit = MAX_STATE_KEY_CHARACTERS - reserve;
  if ([...(key as string)].length > limit) {
    throw new PatternOptionError(`${where}: key must be at most ${limit} characters (it gets suffixes such as "/1")`);
  }
  return key as string;
}

/** Milliseconds from a number of milliseconds or a duration text ("2s", "1m30s"); must be > 0. */
export function positiveDurationMs(where: string, option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value === 'string' && !/^\s*\d+(\.\d+)?\s*$/.test(value)) {
    const ms = parseDurationMs(value);
    if (ms !== undefined && ms > 0) return ms;
  }
  throw new PatternOptionError(
    `${where}: ${option} must be a number of milliseconds > 0 or a duration such as "500ms", "2s", "1m"; got ${shown(value)}`,
  );
}

export function positiveWholeNumber(where: string, option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new PatternOptionError(`${where}: ${option} must be a whole number ≥ 1, got ${shown(value)}`);
}

export function checkFunction(where: string, option: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'function') {
    throw new PatternOptionError(
      `${where}: ${option} must be a function${required ? ' (it is required)' : ''}, got ${shown(value)}`,
    );
  }
}

export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    try {
      const text = JSON.stringify(value);
      return text.length > 80 ? `${text.slice(0, 77)}...` : text;
    } catch {
      return 'an object';
    }
  }
  return String(value);
}
