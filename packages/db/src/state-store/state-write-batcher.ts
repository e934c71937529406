import { CompiledQuery } from 'kysely';
import type { Db, MetadataDatabase } from '../open-database.ts';
import { inWriteTransaction, isRetryableWriteError } from '../write-transaction.ts';

/** Writes per shared transaction at most: bounds how long one COMMIT holds the batch's writers. */
export const DEFAULT_STATE_WRITE_BATCH_SIZE = 64;

/**
 * Batches in flight at once. SQLite has one writer (and one connection) anyway. On PostgreSQL a
 * batch runs its writes' statements one round trip after another on one connection, so a few
 * batches on their own connections overlap those round trips and their WAL flushes; the rest of
 * the pool stays free for reads and the other routes.
 */
export const STATE_WRITE_BATCHES_IN_FLIGHT = { sqlite: 1, postgres: 4 } as const;

/** One state write: its read-modify-write, run inside whichever transaction carries it. */
export type StateWriteWork<T> = (trx: Db) => Promise<T>;

interface PendingWrite {
  readonly work: StateWriteWork<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly kind: 'done'; readonly value: unknown }
  | { readonly kind: 'refused'; readonly error: unknown }
  | { readonly kind: 'alone' };

/**
 * Group commit for state writes (issue 18). A write that arrives while fewer than `maxInFlight`
 * batches are in flight starts one as soon as the event loop has handled the requests that arrived
 * with it (setImmediate, no timer: an idle server commits a lone write at once); writes that arrive
 * while they are all in flight wait and form the next batch, up to `maxBatch`.
 *
 * Each write runs in its own savepoint inside the shared transaction, in arrival order, so a
 * refused write (412 compare-and-set, 409 stale attempt, any error of its own) rolls back only
 * itself and the database ends as if the writes had run one by one in that order. A write is
 * settled only after the shared COMMIT: an acknowledged write is a committed one.
 *
 * A write that hits a retryable database error (a concurrent transaction created the same key,
 * a deadlock) is rolled back to its savepoint and run again alone after the batch, as it would be
 * retried alone. If the batch transaction itself fails (BEGIN or COMMIT), every write that was
 * to commit with it fails with that error, as it would alone; a retryable failure of the whole
 * batch (a serialization failure at COMMIT) runs each write again alone instead.
 */
export class StateWriteBatcher {
  readonly #database: MetadataDatabase;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #queue: PendingWrite[] = [];
  #inFlight = 0;

  constructor(
    database: MetadataDatabase,
    maxBatch = DEFAULT_STATE_WRITE_BATCH_SIZE,
    maxInFlight: number = STATE_WRITE_BATCHES_IN_FLIGHT[database.dialect],
  ) {
    this.#database = database;
    this.#maxBatch = Math.max(1, Math.floor(maxBatch));
    this.#maxInFlight = Math.max(1, Math.floor(maxInFlight));
  }

  run<T>(work: StateWriteWork<T>): Promise<T> {
    if (this.#maxBatch === 1) return inWriteTransaction(this.#database, work);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#inFlight < this.#maxInFlight) this.#drainAfterThisIoPhase();
    });
  }

  /**
   * Starts a drain once the event loop has handled every request that arrived with this one. On
   * SQLite a batch runs without ever yielding to I/O (the driver is synchronous), so a drain that
   * started at once would always find a queue of one and commit each write alone.
   */
  #drainAfterThisIoPhase(): void {
    this.#inFlight++;
    setImmediate(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        await this.#commit(batch);
      }
    } finally {
      this.#inFlight--;
    }
  }

  async #commit(batch: readonly PendingWrite[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only) return this.#runAlone(only);
    const outcomes: Outcome[] = [];
    try {
      await this.#database.db.transaction().execute(async (trx) => {
        for (const write of batch) outcomes.push(await runInSavepoint(trx, write.work));
      });
    } catch (error) {
      if (isRetryableWriteError(error)) {
        for (const write of batch) await this.#runAlone(write);
        return;
      }
      // Refused writes keep their own refusal; the rest fail with the batch's error, as alone.
      for (const [index, write] of batch.entries()) {
        const outcome = outcomes[index];
        write.reject(outcome?.kind === 'refused' ? outcome.error : error);
      }
      return;
    }
    const again: PendingWrite[] = [];
    for (const [index, write] of batch.entries()) {
      const outcome = outcomes[index] as Outcome;
      if (outcome.kind === 'done') write.resolve(outcome.value);
      else if (outcome.kind === 'refused') write.reject(outcome.error);
      else again.push(write);
    }
    // Acknowledge the committed writes first; then rerun the ones that raced another transaction.
    for (const write of again) await this.#runAlone(write);
  }

  async #runAlone(write: PendingWrite): Promise<void> {
    try {
      write.resolve(await inWriteTransaction(this.#database, write.work));
    } catch (error) {
      write.reject(error);
    }
  }
}

const SAVEPOINT = CompiledQuery.raw('savepoint state_write');
const RELEASE = CompiledQuery.raw('release savepoint state_write');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint state_write');

/** Runs one write between SAVEPOINT and RELEASE; on any error, rolls back to the savepoint only. */
async function runInSavepoint(trx: Db, work: StateWriteWork<unknown>): Promise<Outcome> {
  await trx.executeQuery(SAVEPOINT);
  try {
    const value = await work(trx);
    await trx.executeQuery(RELEASE);
    return { kind: 'done', value };
  } catch (error) {
    await trx.executeQuery(ROLLBACK_TO);
    await trx.executeQuery(RELEASE);
    return isRetryableWriteError(error) ? { kind: 'alone' } : { kind: 'refused', error };
  }
}
