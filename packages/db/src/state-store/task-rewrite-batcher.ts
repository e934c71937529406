import type { MetadataDatabase } from '../open-database.ts';
import { type OwnTaskKeyRewrite, setManyInOneStatement } from './one-statement-set.ts';
import { rewriteManyOnSqlite } from './sqlite-task-rewrite.ts';
import { WriteCoalescer } from './write-coalescer.ts';

interface PendingRewrite {
  readonly rewrite: OwnTaskKeyRewrite;
  readonly identity: string;
  readonly resolve: (version: number | undefined) => void;
}

type WriteMany = (rewrites: readonly OwnTaskKeyRewrite[]) => Promise<(number | undefined)[]>;

/**
 * Group commit for the fast path, attempts' rewrites of their own keys: those that arrive together
 * go to the database as one statement on PostgreSQL (setManyInOneStatement), as one synchronous
 * transaction on SQLite (rewriteManyOnSqlite), each with its own outcome. A batch holds one write
 * per key (PostgreSQL's statement updates a row once); a second write of a key waits for a later
 * batch.
 */
export class TaskRewriteBatcher {
  readonly #writeMany: WriteMany;
  readonly #rewrites: WriteCoalescer<PendingRewrite>;

  constructor(database: MetadataDatabase, maxBatch: number, maxInFlight: number) {
    const { db } = database;
    this.#writeMany =
      database.dialect === 'postgres'
        ? (rewrites) => setManyInOneStatement(db, rewrites)
        : (rewrites) => rewriteManyOnSqlite(db, rewrites);
    this.#rewrites = new WriteCoalescer({
      maxBatch,
      maxInFlight,
      runBatch: (batch) => this.#write(batch),
      takeBatch: takeOneWritePerKey,
    });
  }

  /** The write's new version, or undefined when its batch changed nothing for it. */
  run(rewrite: OwnTaskKeyRewrite): Promise<number | undefined> {
    const { scope, key } = rewrite;
    const identity = JSON.stringify([scope.dagId, scope.runId, scope.taskId, scope.mapIndex, key]);
    return new Promise((resolve) => this.#rewrites.add({ rewrite, identity, resolve }));
  }

  /**
   * Any error of the batch's statement or transaction (a race it lost, the database gone away or
   * busy, a value it refused) answers "nothing changed" for every write of the batch: each then
   * runs alone on the general path, which decides it and runs it again after a race, and fails only
   * the writes that fail there, with their own errors, so one bad write never fails its neighbours.
   */
  async #write(batch: readonly PendingRewrite[]): Promise<void> {
    const rewrites = batch.map((pending) => pending.rewrite);
    const versions: (number | undefined)[] = await this.#writeMany(rewrites).catch(() => []);
    for (const [index, pending] of batch.entries()) pending.resolve(versions[index]);
  }
}

/** Takes from the queue's front up to `maxBatch` writes of distinct keys; the rest keep their places. */
function takeOneWritePerKey(queue: PendingRewrite[], maxBatch: number): PendingRewrite[] {
  const batch: PendingRewrite[] = [];
  const keys = new Set<string>();
  let kept = 0;
  for (const pending of queue) {
    if (batch.length < maxBatch && !keys.has(pending.identity)) {
      keys.add(pending.identity);
      batch.push(pending);
    } else {
      queue[kept++] = pending;
    }
  }
  queue.length = kept;
  return batch;
}
