import {
  type DeferralWait,
  encodeStateValue,
  type JsonValue,
  MAX_DEFERRAL_MS,
  MIN_POLL_EVERY_MS,
} from '@tidemark/core/task-process';
import { InvalidWaitError } from '../errors.ts';
import type { Duration } from './duration-option.ts';
import { durationOptionMs } from './duration-option.ts';

/** Marks a wait without `instanceof`: the DAG file may load another copy of this module. */
const WAIT_MARKER: unique symbol = Symbol.for('tidemark.wait');

/**
 * What a deferred task waits for (SPEC §16): `timer(…)`, or `dag.waitFor(name, args)` for a poll
 * the DAG file declares. Pass it to `ctx.defer(wait, { timeout })`.
 */
export interface Wait {
  readonly [WAIT_MARKER]: true;
  readonly spec: DeferralWait;
  /** For log lines: `timer 10m`, `poll "spark_job"`. */
  readonly description: string;
}

export function isWait(value: unknown): value is Wait {
  return typeof value === 'object' && value !== null && (value as { [WAIT_MARKER]?: unknown })[WAIT_MARKER] === true;
}

/**
 * A timer: `timer('10m')` (or a number of ms) fires that long after the deferral, on the server's
 * clock; `timer({ until: date })` fires at that instant (at once when it has passed).
 */
export function timer(when: Duration | { readonly until: Date | string | number }): Wait {
  if (typeof when === 'object' && when !== null) {
    const until = instantOf((when as { until?: unknown }).until);
    return makeWait({ kind: 'timer', until }, `timer until ${new Date(until).toISOString()}`);
  }
  const delayMs = waitDurationMs(when, 'the delay of timer(…)');
  return makeWait({ kind: 'timer', delayMs }, `timer ${typeof when === 'string' ? when : `${delayMs}ms`}`);
}

/** A poll's wait; `dag.waitFor(name, args)` builds it after checking the DAG declares the poll. */
export function pollWait(name: string, args: JsonValue, everyMs: number): Wait {
  try {
    encodeStateValue(args, 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^state value /, 'the value ') : String(error);
    throw new InvalidWaitError(`the arguments of poll "${name}" must be JSON (not null): ${reason}`);
  }
  return makeWait({ kind: 'poll', name, args, everyMs }, `poll "${name}"`);
}

/** A duration option of a wait (`every`, `timeout`): ms or a text duration, within the limits. */
export function waitDurationMs(value: unknown, what: string, min = 0): number {
  let ms: number;
  try {
    ms = durationOptionMs(value, what, 'the wait');
  } catch (error) {
    throw new InvalidWaitError(error instanceof Error ? error.message : String(error));
  }
  if (ms < min || ms > MAX_DEFERRAL_MS) {
    throw new InvalidWaitError(
      `${what} must be between ${min} ms and 366 days, got ${ms} ms${min === MIN_POLL_EVERY_MS ? ` (a poll runs at most every ${MIN_POLL_EVERY_MS} ms)` : ''}`,
    );
  }
  return ms;
}

function instantOf(value: unknown): number {
  const time =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string'
        ? Date.parse(value)
        : typeof value === 'number'
          ? value
          : Number.NaN;
  if (!Number.isFinite(time) || time < 0) {
    throw new InvalidWaitError(
      `timer({ until }) needs a Date, an ISO-8601 string or epoch milliseconds, got ${String(value)}`,
    );
  }
  return Math.round(time);
}

function makeWait(spec: DeferralWait, description: string): Wait {
  return Object.freeze({ [WAIT_MARKER]: true as const, spec, description });
}
