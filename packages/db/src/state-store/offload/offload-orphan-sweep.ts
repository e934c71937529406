import { type OffloadObject, type OffloadStore, offloadEnvelopeJson } from '@tidemark/core';
import type { Db, MetadataDatabase } from '../../open-database.ts';

export const DEFAULT_OFFLOAD_GRACE_MS = 3_600_000;

export interface OffloadOrphanSweepOptions {
  readonly database: MetadataDatabase;
  readonly store: OffloadStore;
  /**
   * Objects modified less than this long ago are spared: a worker writes the object before its
   * row, so a young object no row names may be a write in flight. Default 1 h.
   */
  readonly graceMs?: number;
  readonly clock?: () => number;
}

export interface OffloadOrphanSweepResult {
  /** Objects removed (in a dry run: that would be removed). */
  readonly removed: number;
  /** Their refs. */
  readonly items: string[];
}

/** The shape `runStateGc` takes in `extraSweeps`. */
export interface OffloadOrphanSweep {
  readonly name: string;
  run(options: { dryRun: boolean; batchSize: number }): Promise<OffloadOrphanSweepResult>;
}

/**
 * SPEC §9.2: garbage collection of the offload store. Lists its objects and removes those that no
 * row names, once they are older than the grace period. A row names an object when its value is
 * the object's envelope: a task-state, asset-state, DAG-state or staged row, or a history row. Refs are
 * content-addressed, so each history version names its own payload and stays restorable until the
 * history is trimmed (`state.history_depth`); then its object is removed here.
 *
 * This is what cleans up after a write the server refused (compare-and-set conflict, fenced
 * attempt) or that never reached it (a crash, a partial file), a staged write that was dropped,
 * trimmed history, and a crash between deleting a row and deleting its objects.
 */
export function offloadOrphanSweep(options: OffloadOrphanSweepOptions): OffloadOrphanSweep {
  const graceMs = options.graceMs ?? DEFAULT_OFFLOAD_GRACE_MS;
  const clock = options.clock ?? Date.now;
  return {
    name: 'offload-orphans',
    async run({ dryRun, batchSize }) {
      const cutoff = clock() - graceMs;
      const removed: string[] = [];
      const sweepBatch = async (batch: OffloadObject[]) => {
        const orphans = await unreferenced(options.database.db, batch);
        for (const ref of orphans) {
          if (!dryRun) await options.store.delete(ref);
          removed.push(ref);
        }
      };
      let batch: OffloadObject[] = [];
      for await (const object of options.store.list()) {
        if (object.modifiedAt > cutoff) continue;
        batch.push(object);
        if (batch.length >= batchSize) {
          await sweepBatch(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await sweepBatch(batch);
      return { removed: removed.length, items: removed };
    },
  };
}

/** Envelopes looked up per query (SQLite limits the parameters of one statement). */
const LOOKUP_CHUNK = 500;

/** Every table whose `value` may hold an envelope. */
const TABLES_WITH_VALUES = ['task_state', 'asset_state', 'dag_state', 'state_pending', 'state_history'] as const;

/**
 * The refs of `objects` that no row's value names. `value` has no index, so each lookup scans its
 * table; fine for now (the sweep runs rarely, in batches), an index or a ref column would make it
 * cheaper on large tables.
 */
async function unreferenced(db: Db, objects: readonly OffloadObject[]): Promise<string[]> {
  const envelopes = new Map(objects.map((object) => [offloadEnvelopeJson(object.ref), object.ref]));
  const all = [...envelopes.keys()];
  for (let start = 0; start < all.length; start += LOOKUP_CHUNK) {
    const chunk = all.slice(start, start + LOOKUP_CHUNK);
    for (const table of TABLES_WITH_VALUES) {
      const rows = await db.selectFrom(table).select('value').where('value', 'in', chunk).execute();
      for (const row of rows) if (row.value !== null) envelopes.delete(row.value);
    }
  }
  return [...envelopes.values()];
}
