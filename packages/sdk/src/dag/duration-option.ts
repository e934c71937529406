import { parseDurationMs } from '@tidemark/core/task-process';
import { DagDefinitionError } from '../errors.ts';

/** A number of milliseconds, or a text duration such as `"30s"`, `"5m"`, `"1h30m"`, `"500ms"`. */
export type Duration = number | string;

/**
 * Core's `parseDurationMs` reads bare numbers as seconds (config files); in code a number is
 * milliseconds, like `setTimeout`. A unit-less string is refused rather than guessed.
 */
export function durationOptionMs(value: unknown, option: string, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text) && Number(text) !== 0) {
      throw new DagDefinitionError(
        `${option} "${value}" of ${where} has no unit: write "${text}s" for seconds, or the number ${text} for milliseconds`,
      );
    }
    const ms = parseDurationMs(text);
    if (ms !== undefined) return ms;
  }
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new DagDefinitionError(
    `${option} ${shown} of ${where} is not a duration: use a number of milliseconds ≥ 0 or a string like "30s", "5m", "1h30m"`,
  );
}
