import type { JsonValue } from '../state-store/state-value-rules.ts';

/**
 * Deferral (SPEC §16): a running try ends its process and its TI becomes `deferred` while a
 * triggerer runs a *wait* declared in the DAG file. When the wait fires, the TI is scheduled again
 * and the task function runs again, with the same try number, with `ctx.resumedWith` = the event.
 *
 * A wait is a timer (a delay, or an instant) or a named poll of the DAG file with its arguments,
 * called every `everyMs` until it returns something.
 */
export type DeferralWait = TimerWait | PollWait;

export type TimerWait =
  /** Fires `delayMs` after the server recorded the deferral (the server's clock, not the worker's). */
  | { readonly kind: 'timer'; readonly delayMs: number }
  /** Fires at this instant (epoch ms); an instant in the past fires at once. */
  | { readonly kind: 'timer'; readonly until: number };

export interface PollWait {
  readonly kind: 'poll';
  /** The name the DAG file declared the poll under (`dag.poll(name, …)`). */
  readonly name: string;
  /** What the poll function is called with (JSON, at most `state.max_value_bytes`). */
  readonly args: JsonValue;
  /** How often the triggerer calls it. */
  readonly everyMs: number;
}

export type DeferralKind = DeferralWait['kind'];
export const DEFERRAL_KINDS = ['timer', 'poll'] as const satisfies readonly DeferralKind[];

/** The event a timer resumes the task with (`ctx.resumedWith`); a poll resumes it with what it returned. */
export interface TimerFiredEvent {
  readonly kind: 'timer';
}

/** A poll may not run more often than this. */
export const MIN_POLL_EVERY_MS = 100;

/** The longest delay, poll interval or timeout of a deferral: 366 days. */
export const MAX_DEFERRAL_MS = 366 * 86_400_000;

/** Poll names follow the rule of DAG and task ids: 1–250 letters, digits, `_`, `-` or `.`. */
export const POLL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,250}$/;

export function isPollName(value: unknown): value is string {
  return typeof value === 'string' && POLL_NAME_PATTERN.test(value);
}
