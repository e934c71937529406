import {
  assetScope,
  decodeStateValue,
  type StateBackend,
  type StateWriter,
  SYSTEM_WRITER,
  type TidemarkConfig,
  taskScope,
} from '@tidemark/core';
import {
  MetastoreStateBackend,
  type StagedWritesOnSuccess,
  stateValueCipher,
  type TakenStagedWrite,
} from '@tidemark/db';
import type { TaskInstanceIdentity } from './task-instance-identities.ts';

/**
 * What a TI's success does to state beyond the success transaction itself (SPEC §3, §7): where its
 * staged asset writes are applied, and `state.clear_on_success`.
 */

/** The metastore backend applies staged writes in the success transaction; any other backend gets them after it. */
export function stagedWritesPolicy(config: TidemarkConfig, backend: StateBackend): StagedWritesOnSuccess {
  const cipher = stateValueCipher(config);
  return backend instanceof MetastoreStateBackend
    ? { apply: 'in_transaction', historyDepth: config.state.history_depth, cipher }
    : { apply: 'return', cipher };
}

/**
 * Replays staged writes handed back by the success transaction through a custom backend, in order.
 * The success is already committed, so a write the backend refuses is reported, not thrown: the
 * messages come back for the attempt's log.
 */
export async function replayStagedWrites(
  backend: StateBackend,
  writes: readonly TakenStagedWrite[],
): Promise<string[]> {
  const refused: string[] = [];
  for (const write of writes) {
    const scope = assetScope(write.assetId);
    const writer = write.writtenBy === null ? SYSTEM_WRITER : (JSON.parse(write.writtenBy) as StateWriter);
    try {
      const value = decodeStateValue(write.value);
      if (write.operation === 'advance') await backend.advance(scope, write.key, value, { writer });
      else await backend.set(scope, write.key, value, { writer });
    } catch (error) {
      refused.push(`staged ${write.operation} of asset-state key "${write.key}" refused: ${(error as Error).message}`);
    }
  }
  return refused;
}

/** `state.clear_on_success`: a TI that succeeded (by itself or marked by an operator) loses its task state. */
export async function clearTaskStateOnSuccess(
  config: TidemarkConfig,
  backend: StateBackend,
  ti: Pick<TaskInstanceIdentity, 'dagId' | 'runId' | 'taskId' | 'mapIndex'>,
  writer: StateWriter,
): Promise<void> {
  if (!config.state.clear_on_success) return;
  await backend.clear(taskScope(ti), { writer });
}
