import type { JsonValue } from '@tidemark/core';
import type { Db, MetadataDatabase } from '../open-database.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { recordAssetEvent } from './asset-event-repository.ts';
import { type LeasedWatcherRow, requireWatcherLease, type WatcherLeaseCheck } from './watcher-lease-repository.ts';

/**
 * The outcome of one poll of a watcher (SPEC §15.3), committed under its lease: a success records
 * its events and the state changes that go with them in one transaction; a failure counts towards
 * the backoff. A triggerer that no longer holds the lease commits nothing (409).
 */

export interface WatcherPollSuccess {
  readonly lease: Required<WatcherLeaseCheck>;
  /** Epoch ms when the poll started (the triggerer's clock). */
  readonly polledAt: number;
  readonly events: readonly { readonly extra?: Readonly<Record<string, JsonValue>> }[];
}

export interface CommittedPoll<State> {
  readonly eventIds: number[];
  /** What `applyState` returned. */
  readonly state: State;
  readonly nextPollAt: number;
  readonly failureCount: number;
}

/**
 * Commits a successful poll in one transaction: checks the lease (locking the watcher's row), runs
 * `applyState` (the poll's state changes, written through the metastore backend inside `trx`),
 * records each event (queued for the DAGs scheduled on the asset), and updates the watcher's
 * status. Anything thrown (a lost lease, a compare-and-set conflict) rolls all of it back.
 */
export async function commitWatcherPoll<State>(
  database: MetadataDatabase,
  poll: WatcherPollSuccess,
  applyState: (trx: Db, watcher: LeasedWatcherRow) => Promise<State>,
): Promise<CommittedPoll<State>> {
  const now = poll.lease.now;
  return inWriteTransaction(database, async (trx) => {
    const watcher = await requireWatcherLease(trx, database.dialect, poll.lease, { lock: true });
    const state = await applyState(trx, watcher);
    const eventIds: number[] = [];
    for (const event of poll.events) {
      eventIds.push(
        await recordAssetEvent(
          trx,
          {
            assetId: watcher.assetId,
            ...(event.extra ? { extra: event.extra } : {}),
            source: { kind: 'watcher', watcher: watcher.name },
          },
          now,
        ),
      );
    }
    const nextPollAt = await recordWatcherPollSuccess(trx, watcher, {
      polledAt: poll.polledAt,
      events: eventIds.length,
      now,
    });
    return { eventIds, state, nextPollAt, failureCount: 0 };
  });
}

/** The poll succeeded: failures reset, the next poll is one interval after this one. Returns when. */
async function recordWatcherPollSuccess(
  trx: Db,
  watcher: LeasedWatcherRow,
  poll: { readonly polledAt: number; readonly events: number; readonly now: number },
): Promise<number> {
  const nextPollAt = poll.polledAt + watcher.everyMs;
  await trx
    .updateTable('asset_watcher')
    .set({
      last_poll_at: poll.polledAt,
      ...(poll.events > 0 ? { last_event_at: poll.now, event_count: watcher.eventCount + poll.events } : {}),
      failure_count: 0,
      next_poll_at: nextPollAt,
      updated_at: poll.now,
    })
    .where('id', '=', watcher.id)
    .execute();
  return nextPollAt;
}

export interface WatcherPollFailure {
  readonly lease: Required<WatcherLeaseCheck>;
  readonly polledAt: number;
  readonly error: string;
  /** `triggerer.max_backoff`. */
  readonly maxBackoffMs: number;
}

/**
 * The poll failed (the watcher threw, or its process crashed): one more failure in a row, the
 * error kept, and the next poll after the backoff. Returns the new failure count and next poll time.
 */
export async function recordWatcherPollFailure(
  database: MetadataDatabase,
  poll: WatcherPollFailure,
): Promise<{ readonly nextPollAt: number; readonly failureCount: number }> {
  const now = poll.lease.now;
  return inWriteTransaction(database, async (trx) => {
    const watcher = await requireWatcherLease(trx, database.dialect, poll.lease, { lock: true });
    const failureCount = watcher.failureCount + 1;
    const nextPollAt = now + watcherBackoffMs(watcher.everyMs, failureCount, poll.maxBackoffMs);
    await trx
      .updateTable('asset_watcher')
      .set({
        last_poll_at: poll.polledAt,
        last_error: poll.error,
        last_error_at: now,
        failure_count: failureCount,
        next_poll_at: nextPollAt,
        updated_at: now,
      })
      .where('id', '=', watcher.id)
      .execute();
    return { nextPollAt, failureCount };
  });
}

/** SPEC §15.3 backoff: `min(max(every, 1 s) × 2^(failures − 1), max_backoff)`. */
export function watcherBackoffMs(everyMs: number, failures: number, maxBackoffMs: number): number {
  const base = Math.max(everyMs, MIN_BACKOFF_BASE_MS);
  const doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
  return Math.min(base * 2 ** doublings, maxBackoffMs);
}

const MIN_BACKOFF_BASE_MS = 1_000;
/** Beyond this the product is far over any max_backoff anyway. */
const MAX_DOUBLINGS = 40;
