import { z } from 'zod';
import { INT32_MAX } from '../public/int32-range.ts';
import { plainText } from '../public/plain-text.ts';
import { workerJsonValueSchema } from './state-store-contract.ts';

/**
 * The execution API of triggerers (SPEC §15.3). A triggerer holds a token of kind `triggerer`
 * (`{sub: <triggerer id>, kind: "triggerer"}`, minted with `api.secret_key` like a worker's) and
 * never opens the database. It leases watchers, reads their asset's state, and commits each poll:
 * the poll's events and the state changes that go with them in one transaction, fenced by the
 * lease (a triggerer whose lease was taken over commits nothing).
 */
export const TRIGGERER_ROUTES = {
  /** POST: renew this triggerer's leases, take free or expired ones, report idle polls → the leased watchers. */
  leases: '/execution/triggerers/:triggerer_id/leases',
  /** DELETE: give every lease back (a graceful stop), so another triggerer takes them at once. */
  releaseLeases: '/execution/triggerers/:triggerer_id/leases',
  /** GET `?key=` → one key of the watcher's asset state (404 `state_not_found`); without `key`: every key. */
  watcherState: '/execution/watchers/:watcher_id/state',
  /** POST: one poll's outcome, events and state changes, committed together. */
  watcherPolls: '/execution/watchers/:watcher_id/polls',
} as const;

/**
 * A triggerer's id: its token's `sub` and the `:triggerer_id` of its routes (hostname:pid or a
 * name the operator gives it). 1–200 characters of letters, digits and `. _ : @ -`.
 */
export const TRIGGERER_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,200}$/;

export function isTriggererId(value: unknown): value is string {
  return typeof value === 'string' && TRIGGERER_ID_PATTERN.test(value);
}

/** The most watchers one lease request takes. */
export const MAX_TRIGGERER_CAPACITY = 10_000;

const idlePollSchema = z.strictObject({
  watcher_id: z.number().int().min(1).max(INT32_MAX),
  lease: z.number().int().min(1).max(INT32_MAX),
  /** Epoch ms of the last poll that found nothing (it committed nothing, so it is reported here). */
  polled_at: z.number().int().min(0),
});

/** POST leases body. */
export const leaseRequestSchema = z.strictObject({
  /** Shown in the watcher status (hostname:pid). */
  hostname: plainText().min(1).max(250),
  /** How many watchers this triggerer runs at most. */
  capacity: z.number().int().min(0).max(MAX_TRIGGERER_CAPACITY),
  /**
   * Polls since the last request that found no events (those commit nothing). Each counts as a
   * success if the watcher is still held under that lease and nothing newer was recorded: the
   * failure count resets and the next poll is `polled_at + every`. Otherwise it is ignored.
   */
  idle_polls: z.array(idlePollSchema).max(MAX_TRIGGERER_CAPACITY).optional(),
  /** true: each watcher comes with its asset's state (`state`), so the triggerer need not read it again. */
  with_state: z.boolean().optional(),
});
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;

/** GET watcherState with `key` → 200 (404 `state_not_found` when absent). */
export const watcherStateEntrySchema = z.strictObject({
  key: z.string(),
  value: z.json(),
  version: z.number().int().min(1),
});
export type WatcherStateEntry = z.infer<typeof watcherStateEntrySchema>;

/**
 * A small asset state travels with the lease (`with_state`): at most this many keys, and this many
 * characters of their JSON; a larger one is `null`, and the triggerer reads it key by key.
 */
export const MAX_LEASED_STATE_KEYS = 100;
export const MAX_LEASED_STATE_CHARS = 16_384;

/** A watcher leased to the triggerer: what it needs to load and run it. */
export const leasedWatcherSchema = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  asset: z.strictObject({ id: z.number().int(), name: z.string(), uri: z.string() }),
  /** The DAG whose file declares the watcher, and that file relative to the DAGs folder. */
  dag_id: z.string(),
  fileloc: z.string(),
  every_ms: z.number().int(),
  /** The lease generation: every commit names it; it changes when another triggerer takes the watcher. */
  lease: z.number().int(),
  /** Epoch ms before which the watcher is not polled (backoff after failures). */
  next_poll_at: z.number().int(),
  failure_count: z.number().int(),
  /**
   * With `with_state`: every key of the watcher's asset state when the lease was granted (offload
   * envelopes as stored), or null when it is larger than MAX_LEASED_STATE_KEYS / _CHARS.
   */
  state: z.array(watcherStateEntrySchema).nullable().optional(),
});
export type LeasedWatcher = z.infer<typeof leasedWatcherSchema>;

export const leaseResponseSchema = z.strictObject({
  /** Epoch ms until which the returned leases hold unless renewed. */
  lease_expires_at: z.number().int(),
  /** `triggerer.lease_timeout`: the triggerer renews well within it. */
  lease_timeout_ms: z.number().int(),
  watchers: z.array(leasedWatcherSchema),
});
export type LeaseResponse = z.infer<typeof leaseResponseSchema>;

export const watcherStateListSchema = z.strictObject({ entries: z.array(watcherStateEntrySchema) });

/**
 * A state change committed with a poll, on the watcher's own asset (`asset` names it for clarity;
 * any other asset is refused with 403). `if_version` is compare-and-set (`0` = only if absent):
 * the triggerer sends the version the watcher read, so a poll that read stale state commits nothing
 * (412 `state_conflict`) and is run again.
 */
export const watcherStateChangeSchema = z.strictObject({
  key: z.string(),
  operation: z.enum(['set', 'delete', 'advance']),
  /** set / advance only. */
  value: workerJsonValueSchema.optional(),
  if_version: z.number().int().min(0).max(INT32_MAX).optional(),
  asset: z.string().optional(),
});
export type WatcherStateChange = z.infer<typeof watcherStateChangeSchema>;

/** The most events or state changes one poll commits. */
export const MAX_EVENTS_PER_POLL = 1_000;

/** POST watcherPolls body. */
export const watcherPollRequestSchema = z.strictObject({
  lease: z.number().int().min(1).max(INT32_MAX),
  /** Epoch ms when the poll started. */
  polled_at: z.number().int().min(0),
  outcome: z.enum(['ok', 'error']),
  /** outcome `error`: what went wrong (a crash of the watcher's process, a thrown error). */
  error: plainText().max(4_000).optional(),
  events: z
    .array(z.strictObject({ extra: z.record(z.string(), z.json()).optional() }))
    .max(MAX_EVENTS_PER_POLL)
    .default([]),
  state: z.array(watcherStateChangeSchema).max(MAX_EVENTS_PER_POLL).default([]),
});
export type WatcherPollRequest = z.input<typeof watcherPollRequestSchema>;

/**
 * 200: what was committed. 409 `watcher_lease_lost`: another triggerer holds the watcher now (or
 * the lease expired): stop running it. 412 `state_conflict`: nothing was committed; read again.
 */
export const watcherPollResponseSchema = z.strictObject({
  event_ids: z.array(z.number().int()),
  /** The new version of each changed key (0 for a delete, or an advance that did not move). */
  state: z.array(z.strictObject({ key: z.string(), version: z.number().int() })),
  /** Epoch ms of the next poll: `every` after a success, the backoff after an error. */
  next_poll_at: z.number().int(),
  failure_count: z.number().int(),
});
export type WatcherPollResponse = z.infer<typeof watcherPollResponseSchema>;
