import {
  assertAdvanceable,
  encodeStateValue,
  InvalidStateOptionError,
  type JsonValue,
  parseDurationMs,
  StaleAttemptError,
  StateConflictError,
  type StateMethod,
  type StateRequestParams,
  type StateTarget,
  type StateValue,
  TidemarkError,
  ValueTooLargeError,
  validateStateKey,
} from '@tidemark/core/task-process';
import { UndeclaredAssetError } from '../errors.ts';
import type { SupervisorRequester } from '../runner/supervisor-channel.ts';

/** Keep a task-state key until its run is deleted, whatever `state.default_retention` says. */
export const NEVER_EXPIRE = 'NEVER_EXPIRE' as const;

/** How long a task-state key lives: milliseconds, a duration text ("30d", "1h30m") or NEVER_EXPIRE. */
export type StateRetention = number | string | typeof NEVER_EXPIRE;

/** A stored value with its version (SPEC §7) and expiry (always null for asset state). */
export interface StateEntry<T extends StateValue = StateValue> {
  readonly value: T;
  readonly version: number;
  readonly expiresAt: Date | null;
}

export interface StateKeyInfo {
  readonly key: string;
  readonly version: number;
  readonly expiresAt: Date | null;
}

export interface StateWriteResult {
  /** The key's version after the write. */
  readonly version: number;
}

export interface StagedWriteResult {
  /** The write waits for the attempt's success (SPEC §7); readers don't see it before. */
  readonly staged: true;
}

export interface AdvanceResult<T extends number | string = number | string> {
  /** The value stored now: the candidate when it advanced, the larger stored value when not. */
  readonly value: T;
  readonly version: number;
  readonly advanced: boolean;
}

export interface StateDeleteOptions {
  /** Delete only when the key is at this version; a mismatch throws StateConflictError. */
  readonly ifVersion?: number;
}

/** Times `update` reads and writes again after losing a compare-and-set race, unless told otherwise. */
export const DEFAULT_UPDATE_ATTEMPTS = 10;

/** What `update(key, fn)` gets: the current value, or undefined when the key is absent. */
export type StateUpdater<T extends StateValue> = (current: T | undefined) => T | Promise<T>;

/** One state target (this TI, or one declared asset) as the accessors see it. */
export interface StateChannel {
  readonly target: StateTarget;
  /** How errors name the accessor: `ctx.taskState`, `ctx.assetState.of("orders")`. */
  readonly label: string;
  readonly supervisor: Pick<SupervisorRequester, 'request'>;
  /** The attempt's try number (for StaleAttemptError). */
  readonly tryNumber: number;
  /** The task's declared asset names (for UndeclaredAssetError). */
  readonly declaredAssets: readonly string[];
}

interface WireEntry {
  readonly value: StateValue;
  readonly version: number;
  readonly expires_at: string | null;
}

interface WireSetParams {
  readonly value: StateValue;
  readonly retention?: string;
  readonly ifVersion?: number;
  readonly onSuccess?: boolean;
}

export async function stateGetEntry<T extends StateValue>(
  channel: StateChannel,
  key: string,
): Promise<StateEntry<T> | undefined> {
  validateStateKey(key);
  const answer = (await send(channel, 'get', { target: channel.target, key })) as WireEntry | null | undefined;
  if (answer === null || answer === undefined) return undefined;
  return Object.freeze({ value: answer.value as T, version: answer.version, expiresAt: toDate(answer.expires_at) });
}

export async function stateSet(
  channel: StateChannel,
  key: string,
  params: WireSetParams,
): Promise<StateWriteResult | StagedWriteResult> {
  validateStateKey(key);
  encodeStateValue(params.value, 0);
  const request: StateRequestParams = { target: channel.target, key, ...params };
  const answer = (await send(channel, 'set', request, key, params.ifVersion)) as
    | { version?: number; staged?: boolean }
    | null
    | undefined;
  if (answer?.staged === true) return Object.freeze({ staged: true as const });
  return Object.freeze({ version: Number(answer?.version ?? -1) });
}

export async function stateUpdate<T extends StateValue>(
  channel: StateChannel,
  key: string,
  fn: StateUpdater<T>,
  maxAttempts: number,
  write: (value: T, ifVersion: number) => Promise<StateWriteResult>,
): Promise<{ readonly value: T; readonly version: number }> {
  validateStateKey(key);
  if (typeof fn !== 'function') {
    throw new InvalidStateOptionError(`${channel.label}.update("${key}", fn): fn must be a function`);
  }
  if (!(Number.isSafeInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new InvalidStateOptionError(
      `${channel.label}.update: maxAttempts must be a whole number ≥ 1, got ${String(maxAttempts)}`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    const current = await stateGetEntry<T>(channel, key);
    const next = await fn(current?.value);
    try {
      const { version } = await write(next, current?.version ?? 0);
      return Object.freeze({ value: next, version });
    } catch (error) {
      if (!(error instanceof StateConflictError) || attempt >= maxAttempts) throw error;
    }
  }
}

export async function stateAdvance<T extends number | string>(
  channel: StateChannel,
  key: string,
  candidate: T,
  onSuccess: boolean,
): Promise<AdvanceResult<T> | StagedWriteResult> {
  validateStateKey(key);
  assertAdvanceable(key, candidate as StateValue);
  encodeStateValue(candidate, 0);
  const params: StateRequestParams = onSuccess
    ? { target: channel.target, key, value: candidate, onSuccess: true }
    : { target: channel.target, key, value: candidate };
  const answer = (await send(channel, 'advance', params, key)) as
    | { value?: T; version?: number; advanced?: boolean; staged?: boolean }
    | null
    | undefined;
  if (answer?.staged === true) return Object.freeze({ staged: true as const });
  return Object.freeze({
    value: answer?.value as T,
    version: Number(answer?.version ?? -1),
    advanced: answer?.advanced === true,
  });
}

export async function stateDelete(channel: StateChannel, key: string, options: StateDeleteOptions = {}): Promise<void> {
  validateStateKey(key);
  checkOptions(channel, 'delete', options, ['ifVersion']);
  const ifVersion = checkIfVersion(channel, options.ifVersion);
  const params: StateRequestParams =
    ifVersion === undefined ? { target: channel.target, key } : { target: channel.target, key, ifVersion };
  await send(channel, 'delete', params, key, ifVersion);
}

export async function stateClear(channel: StateChannel): Promise<void> {
  await send(channel, 'clear', { target: channel.target });
}

export async function stateKeys(channel: StateChannel): Promise<StateKeyInfo[]> {
  const answer = (await send(channel, 'keys', { target: channel.target })) as {
    keys?: { key: string; version: number; expires_at: string | null }[];
  } | null;
  return (answer?.keys ?? []).map((entry) =>
    Object.freeze({ key: entry.key, version: entry.version, expiresAt: toDate(entry.expires_at) }),
  );
}

/** Retention as the IPC carries it: a duration text or `NEVER_EXPIRE` (SPEC §6). */
export function encodeRetention(label: string, retention: unknown): string {
  if (retention === NEVER_EXPIRE) return NEVER_EXPIRE;
  if (typeof retention === 'number') {
    if (!(Number.isSafeInteger(retention) && retention > 0)) {
      throw new InvalidStateOptionError(
        `${label}: retention in milliseconds must be a whole number > 0, got ${String(retention)}`,
      );
    }
    return `${retention}ms`;
  }
  if (typeof retention === 'string') {
    const ms = parseDurationMs(retention);
    if (ms === undefined || ms <= 0) {
      throw new InvalidStateOptionError(
        `${label}: retention must be a duration such as "30d", "12h" or "1h30m", a number of milliseconds, ` +
          `or NEVER_EXPIRE; got ${JSON.stringify(retention)}`,
      );
    }
    return retention.trim();
  }
  throw new InvalidStateOptionError(
    `${label}: retention must be a number of milliseconds, a duration text or NEVER_EXPIRE, got ${typeof retention}`,
  );
}

export function checkIfVersion(channel: StateChannel, ifVersion: unknown): number | undefined {
  if (ifVersion === undefined) return undefined;
  if (typeof ifVersion !== 'number' || !Number.isSafeInteger(ifVersion) || ifVersion < 0) {
    throw new InvalidStateOptionError(
      `${channel.label}: ifVersion must be a whole number ≥ 0 (0 = only if absent), got ${String(ifVersion)}`,
    );
  }
  return ifVersion;
}

/** Refuses option names the method doesn't know, so that a typo isn't silently ignored. */
export function checkOptions(channel: StateChannel, method: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidStateOptionError(`${channel.label}.${method}: options must be an object`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new InvalidStateOptionError(
        `${channel.label}.${method} has no option "${name}" (it takes ${known.map((k) => `"${k}"`).join(', ') || 'none'})`,
      );
    }
  }
}

async function send(
  channel: StateChannel,
  method: StateMethod,
  params: StateRequestParams,
  key?: string,
  ifVersion?: number,
): Promise<JsonValue | undefined> {
  try {
    return await channel.supervisor.request(`state.${method}`, params);
  } catch (error) {
    throw rebuildStateError(channel, error, key, ifVersion);
  }
}

/**
 * The IPC carries an error as code + message only; the accessors turn the codes task authors
 * catch into their classes (keeping the server's message), reading numbers back from the message
 * where it has them and using -1 where it doesn't.
 */
export function rebuildStateError(channel: StateChannel, error: unknown, key?: string, ifVersion?: number): unknown {
  if (!(error instanceof TidemarkError) || error.constructor !== TidemarkError) return error;
  const message = error.message;
  switch (error.code) {
    case 'state_conflict': {
      const actual = /at version (\d+)|\(version (\d+)\)/.exec(message);
      const actualVersion = actual ? Number(actual[1] ?? actual[2]) : -1;
      return withMessage(new StateConflictError(key ?? '', ifVersion ?? -1, actualVersion), message);
    }
    case 'stale_attempt':
      return withMessage(new StaleAttemptError('', channel.tryNumber, 'unknown'), message);
    case 'value_too_large': {
      const sizes = /(\d+) bytes.*?limit of (\d+) bytes/.exec(message);
      return withMessage(new ValueTooLargeError(Number(sizes?.[1] ?? -1), Number(sizes?.[2] ?? -1)), message);
    }
    case 'undeclared_asset': {
      const target = channel.target;
      const name = target.kind === 'asset' ? ('name' in target ? target.name : target.uri) : '';
      return new UndeclaredAssetError(name, channel.declaredAssets, message);
    }
    default:
      return error;
  }
}

function withMessage<E extends Error>(error: E, message: string): E {
  error.message = message;
  return error;
}

function toDate(iso: string | null | undefined): Date | null {
  return iso === null || iso === undefined ? null : new Date(iso);
}
