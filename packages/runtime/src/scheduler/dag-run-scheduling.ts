import { describeType, type SerializedTask } from '@tidemark/core';
import {
  type ActiveDagRun,
  type Db,
  expandMappedTask,
  getXcom,
  inWriteTransaction,
  listRunTaskInstances,
  lockDagRunForScheduling,
  type MetadataDatabase,
  markDagRunFinished,
  markDagRunRunning,
  markFailedWithoutAttempt,
  markRemoved,
  markSkipped,
  markUpstreamFailed,
  queueTaskInstances,
  readSerializedDag,
} from '@tidemark/db';
import type { Logger } from 'pino';
import { decideRunState, decideTaskInstances, type RunDecisions } from './task-instance-decisions.ts';

/**
 * One scheduling pass over one run, in one transaction: move its TIs along their dependencies,
 * expand mapped tasks, and settle the run's state.
 */
export async function scheduleDagRun(
  database: MetadataDatabase,
  dagRunId: number,
  now: number,
  log: Logger,
): Promise<void> {
  await inWriteTransaction(database, async (trx) => {
    const run = await lockDagRunForScheduling(trx, database.dialect, dagRunId);
    if (!run) return;
    const dag = await readSerializedDag(trx, run.dag_id);
    if (!dag) return;
    const before = await listRunTaskInstances(trx, run.id);
    const decisions = decideTaskInstances(dag, before, now);
    const changed = await applyDecisions(trx, run, decisions, now, log);
    const after = changed ? await listRunTaskInstances(trx, run.id) : before;
    if (run.state === 'queued') await markDagRunRunning(trx, run.id, now);
    const state = decideRunState(after);
    if (state !== 'running') {
      await markDagRunFinished(trx, run.id, state, now);
      log.info({ dag_id: run.dag_id, run_id: run.run_id, state }, 'DAG run finished');
    }
  });
}

async function applyDecisions(
  trx: Db,
  run: ActiveDagRun,
  decisions: RunDecisions,
  now: number,
  log: Logger,
): Promise<boolean> {
  await queueTaskInstances(trx, decisions.queue, now);
  await markUpstreamFailed(trx, decisions.upstreamFailed, now);
  await markSkipped(trx, decisions.skip, now);
  await markRemoved(trx, decisions.remove, now);
  for (const { placeholderId, task } of decisions.expand) {
    await expandMapped(trx, run, placeholderId, task, now, log);
  }
  return (
    decisions.queue.length +
      decisions.upstreamFailed.length +
      decisions.skip.length +
      decisions.remove.length +
      decisions.expand.length >
    0
  );
}

async function expandMapped(
  trx: Db,
  run: ActiveDagRun,
  placeholderId: string,
  task: SerializedTask,
  now: number,
  log: Logger,
): Promise<void> {
  const upstream = task.mapOver as string;
  const items = await getXcom(trx, { dagRunId: run.id, taskId: upstream, mapIndex: -1, key: 'return_value' });
  if (!Array.isArray(items)) {
    log.error(
      { dag_id: run.dag_id, run_id: run.run_id, task_id: task.taskId },
      `cannot map "${task.taskId}" over "${upstream}": it returned ${describeType(items)}, not a list`,
    );
    await markFailedWithoutAttempt(trx, [placeholderId], now);
    return;
  }
  if (items.length === 0) {
    await markSkipped(trx, [placeholderId], now);
    return;
  }
  await expandMappedTask(
    trx,
    { dagRunId: run.id, dagId: run.dag_id, runId: run.run_id },
    placeholderId,
    task,
    items.length,
    now,
  );
}
