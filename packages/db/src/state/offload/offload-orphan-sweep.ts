import { type OffloadObject, type OffloadStore, offloadEnvelopeJson } from '@tidemark/core';
import type { Db, MetadataDatabase } from '../../open-database.ts';

export const DEFAULT_OFFLOAD_GRACE_MS = 3_600_000;

export interface OffloadOrphanSweepOptions {
  readonly database: MetadataDatabase;
  readonly store: OffloadStore;
  /**
   * Objects modified less than this long ago are spared: a worker writes the object before its
   * row, so a young object without a row may be a write in flight. Default 1 h.
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
 * task-state, asset-state or staged row points to, once they are older than the grace period. This
 * is what cleans up after a crash between deleting a row and deleting its object, and after a put
 * whose row was never written (a refused or crashed write, a partial file). History rows do not
 * keep an object alive: an offloaded key's history holds its envelope, which names the ref of the
 * key's current payload.
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

/** The refs of `objects` that no row's value points to. */
async function unreferenced(db: Db, objects: readonly OffloadObject[]): Promise<string[]> {
  const envelopes = new Map(objects.map((object) => [offloadEnvelopeJson(object.ref), object.ref]));
  const all = [...envelopes.keys()];
  for (let start = 0; start < all.length; start += LOOKUP_CHUNK) {
    const chunk = all.slice(start, start + LOOKUP_CHUNK);
    for (const table of ['task_state', 'asset_state', 'state_pending'] as const) {
      const rows = await db.selectFrom(table).select('value').where('value', 'in', chunk).execute();
      for (const row of rows) envelopes.delete(row.value);
    }
  }
  return [...envelopes.values()];
}
