import type { Db } from '../open-database.ts';
import { type OwnTaskKeyRewrite, setManyInOneStatement } from './one-statement-set.ts';
import { WriteCoalescer } from './write-coalescer.ts';

interface PendingRewrite {
  readonly rewrite: OwnTaskKeyRewrite;
  readonly identity: string;
  readonly resolve: (version: number | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for the PostgreSQL fast path: attempts' rewrites of their own keys that arrive
 * together go to the database as one statement (setManyInOneStatement), each with its own outcome.
 * A batch holds one write per key (the statement updates a row once); a second write of a key
 * waits for a later batch.
 */
export class TaskRewriteBatcher {
  readonly #db: Db;
  readonly #rewrites: WriteCoalescer<PendingRewrite>;

  constructor(db: Db, maxBatch: number, maxInFlight: number) {
    this.#db = db;
    this.#rewrites = new WriteCoalescer({
      maxBatch,
      maxInFlight,
      runBatch: (batch) => this.#write(batch),
      takeBatch: takeOneWritePerKey,
    });
  }

  /** The write's new version, or undefined when the statement changed nothing for it. */
  run(rewrite: OwnTaskKeyRewrite): Promise<number | undefined> {
    const { scope, key } = rewrite;
    const identity = JSON.stringify([scope.dagId, scope.runId, scope.taskId, scope.mapIndex, key]);
    return new Promise((resolve, reject) => this.#rewrites.add({ rewrite, identity, resolve, reject }));
  }

  async #write(batch: readonly PendingRewrite[]): Promise<void> {
    try {
      const versions = await setManyInOneStatement(
        this.#db,
        batch.map((pending) => pending.rewrite),
      );
      for (const [index, pending] of batch.entries()) pending.resolve(versions[index]);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}

/** Takes from the queue's front up to `maxBatch` writes of distinct keys; the rest keep their places. */
function takeOneWritePerKey(queue: PendingRewrite[], maxBatch: number): PendingRewrite[] {
  const batch: PendingRewrite[] = [];
  const keys = new Set<string>();
  const rest: PendingRewrite[] = [];
  for (const pending of queue) {
    if (batch.length < maxBatch && !keys.has(pending.identity)) {
      keys.add(pending.identity);
      batch.push(pending);
    } else {
      rest.push(pending);
    }
  }
  queue.splice(0, queue.length, ...rest);
  return batch;
}
