import { TidemarkError } from '@tidemark/core';
import type { Db, MetadataDatabase } from '../open-database.ts';
import { inWriteTransaction, isRetryableWriteError } from '../write-transaction.ts';
import { WriteCoalescer } from './write-coalescer.ts';

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
 * Group commit for state writes (issue 18): the writes that arrive together (see WriteCoalescer)
 * share one transaction.
 *
 * Writes run in arrival order inside the shared transaction. A refusal (412 compare-and-set, 409
 * stale attempt: a TidemarkError) is decided by the write's own reads before it changes anything,
 * so the batch goes on without it, and the database ends as if the writes had run one by one in
 * that order. Any other error (a database error, a retryable race such as another transaction
 * creating the same key) may come after the write changed something, and on PostgreSQL it has
 * aborted the transaction (whose COMMIT would then roll back without an error): the whole batch is
 * rolled back and each of its writes runs again alone, with its own outcome. No savepoints, then:
 * they cost two round trips per write on PostgreSQL. A write is settled only after the shared
 * COMMIT: an acknowledged write is a committed one. If BEGIN or COMMIT fails, every write that was
 * to commit with it fails with that error, as it would alone; a retryable failure of the whole
 * batch (a serialization failure at COMMIT) runs each write again alone instead.
 */
export class StateWriteBatcher {
  readonly #database: MetadataDatabase;
  readonly #maxBatch: number;
  readonly #writes: WriteCoalescer<PendingWrite>;

  constructor(
    database: MetadataDatabase,
    maxBatch = DEFAULT_STATE_WRITE_BATCH_SIZE,
    maxInFlight: number = STATE_WRITE_BATCHES_IN_FLIGHT[database.dialect],
  ) {
    this.#database = database;
    this.#maxBatch = Math.floor(maxBatch);
    this.#writes = new WriteCoalescer({ maxBatch, maxInFlight, runBatch: (batch) => this.#commit(batch) });
  }

  run<T>(work: StateWriteWork<T>): Promise<T> {
    if (this.#maxBatch <= 1) return inWriteTransaction(this.#database, work);
    return new Promise<T>((resolve, reject) => {
      this.#writes.add({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  async #commit(batch: readonly PendingWrite[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only) return this.#runAlone(only);
    const outcomes: Outcome[] = [];
    try {
      await this.#database.db.transaction().execute(async (trx) => {
        for (const write of batch) {
          const outcome = await runInBatch(trx, write.work);
          outcomes.push(outcome);
          if (outcome.kind === 'alone') throw BATCH_ABANDONED;
        }
      });
    } catch (error) {
      // A write failed after it may have changed something, or the batch raced another writer:
      // nothing of the batch is kept, and each write runs alone, with its own outcome.
      if (error === BATCH_ABANDONED || isRetryableWriteError(error)) {
        for (const write of batch) await this.#runAlone(write);
        return;
      }
      // BEGIN or COMMIT failed. Refused writes keep their own refusal; the rest fail with the batch's error, as alone.
      for (const [index, write] of batch.entries()) {
        const outcome = outcomes[index];
        write.reject(outcome?.kind === 'refused' ? outcome.error : error);
      }
      return;
    }
    for (const [index, write] of batch.entries()) {
      const outcome = outcomes[index] as Outcome;
      if (outcome.kind === 'done') write.resolve(outcome.value);
      else write.reject((outcome as { error: unknown }).error);
    }
  }

  async #runAlone(write: PendingWrite): Promise<void> {
    try {
      write.resolve(await inWriteTransaction(this.#database, write.work));
    } catch (error) {
      write.reject(error);
    }
  }
}

/** Thrown out of a batch's transaction to roll it back so that its writes run alone. */
const BATCH_ABANDONED = Symbol('state write batch abandoned');

/**
 * Runs one write of a batch. A refusal (a TidemarkError: compare-and-set, a stale attempt, a missing
 * scope) is decided by the write's reads, before it changes anything, so the batch goes on without
 * it; any other error may come after a change (or, on PostgreSQL, has aborted the transaction), so
 * the batch is abandoned.
 */
async function runInBatch(trx: Db, work: StateWriteWork<unknown>): Promise<Outcome> {
  try {
    return { kind: 'done', value: await work(trx) };
  } catch (error) {
    return error instanceof TidemarkError ? { kind: 'refused', error } : { kind: 'alone' };
  }
}
