import type { TidemarkConfig } from '@tidemark/core';
import { type MetadataDatabase, offloadOrphanSweep } from '@tidemark/db';
import { createOffloadStore } from '../offload/create-offload-store.ts';
import type { StateGcSweep } from './run-state-gc.ts';

/**
 * The sweeps garbage collection runs after the backend's cleanup: with an offload store configured
 * (`state.offload.backend`), its objects that no row names any more (SPEC §9.2). The process running
 * GC must see the same store as the workers.
 */
export async function offloadSweepsFor(config: TidemarkConfig, database: MetadataDatabase): Promise<StateGcSweep[]> {
  if (config.state.offload.backend === 'none') return [];
  return [offloadOrphanSweep({ database, store: await createOffloadStore(config) })];
}
