import { TaskInstanceNotFoundError } from '@tidemark/core';
import { type Db, findTaskInstance } from '@tidemark/db';

/** What never changes about a TI: which run, task and map index it is. */
export interface TaskInstanceIdentity {
  readonly tiId: string;
  readonly dagRunId: number;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
}

const MAX_CACHED = 10_000;

/**
 * A TI's identity by id, cached: routes that only need to know *which* TI (logs, XCom reads) skip
 * the database after the first request. TI ids are UUIDs and never reused, so entries never go stale.
 */
export class TaskInstanceIdentities {
  readonly #db: Db;
  readonly #cache = new Map<string, TaskInstanceIdentity>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** The TI's identity; TaskInstanceNotFoundError (404) when it does not exist (any more). */
  async get(tiId: string): Promise<TaskInstanceIdentity> {
    const cached = this.#cache.get(tiId);
    if (cached) return cached;
    const ti = await findTaskInstance(this.#db, tiId);
    if (!ti) throw new TaskInstanceNotFoundError(tiId);
    return this.remember(ti);
  }

  /**
   * Caches the identity of a TI row the caller already read (the claim route, for every TI it hands
   * out): the attempt's later requests (logs, XComs, finish) need no read to know which TI it is.
   */
  remember(ti: {
    readonly id: string;
    readonly dag_run_id: number;
    readonly dag_id: string;
    readonly run_id: string;
    readonly task_id: string;
    readonly map_index: number;
  }): TaskInstanceIdentity {
    const identity: TaskInstanceIdentity = {
      tiId: ti.id,
      dagRunId: ti.dag_run_id,
      dagId: ti.dag_id,
      runId: ti.run_id,
      taskId: ti.task_id,
      mapIndex: ti.map_index,
    };
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    this.#cache.set(ti.id, identity);
    return identity;
  }
}
