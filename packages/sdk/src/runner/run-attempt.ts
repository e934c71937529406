import { type AttemptSpec, TidemarkError, validateStateItemKey } from '@tidemark/core/task-process';
import { declaredAssetsOf } from '../context/asset-state-accessor.ts';
import { createTaskContext } from '../context/task-context.ts';
import type { Dag } from '../dag/dag.ts';
import type { TaskDefinition } from '../dag/task-definition.ts';
import { DagNotInFileError } from '../errors.ts';
import { failedOutcome, successOutcome, thrownOutcome } from './attempt-outcome.ts';
import { describeThrown } from './describe-thrown.ts';
import { loadDag } from './load-dag.ts';
import type { FinishedMessage, SupervisorRequester } from './supervisor-channel.ts';

/** Imports a DAG file; a reused task process remembers what it imported (ImportedDagFiles). */
export type DagLoader = (dagFile: string, dagId: string) => Promise<Dag>;

/** Imports the DAG file, runs the attempt's task function, and says how the attempt ended. */
export async function runAttempt(
  attempt: AttemptSpec,
  supervisor: SupervisorRequester,
  signal: AbortSignal,
  load: DagLoader = loadDag,
): Promise<FinishedMessage> {
  let dag: Dag;
  try {
    dag = await load(attempt.dagFile, attempt.dagId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failedOutcome(message, !(error instanceof DagNotInFileError));
  }
  const task = dag.getTask(attempt.taskId);
  if (!task) {
    return failedOutcome(
      `task "${attempt.taskId}" is not defined in DAG "${attempt.dagId}" of ${attempt.dagFile} ` +
        `(its tasks: ${dag.taskIds.join(', ') || 'none'}); it was renamed or removed since the run was scheduled`,
      false,
    );
  }
  if (task.mapOver !== null && attempt.mapItem === undefined) {
    return failedOutcome(
      `task "${attempt.taskId}" is mapped over "${task.mapOver}", but the supervisor sent no map item for map index ${attempt.mapIndex}`,
      false,
    );
  }
  const itemKey = stateItemKeyOf(task, attempt);
  if (typeof itemKey === 'object') return itemKey;
  if (signal.aborted) return failedOutcome(describeThrown(signal.reason), true);
  const { context, outletEvents, deferral } = createTaskContext(
    attempt,
    supervisor,
    signal,
    declaredAssetsOf(task),
    task.outlets,
    itemKey,
  );
  const started = performance.now();
  // A deferral (SPEC §16) stands however the function ends after ctx.defer(): its throw may be caught.
  let outcome: FinishedMessage;
  try {
    const returned = task.mapOver === null ? await task.fn(context) : await task.fn(context, attempt.mapItem);
    outcome = deferral.requested ?? successOutcome(attempt.taskId, returned, outletEvents.collect());
  } catch (error) {
    outcome = deferral.requested ?? thrownOutcome(error);
  }
  // The supervisor subtracts this from the attempt's wall time: the rest is the runtime's overhead.
  return { ...outcome, ranMs: performance.now() - started };
}

/**
 * SPEC §17: the item key of a task mapped with `stateKey` — what it returns for this TI's item,
 * checked against the key rules. A stateKey that throws or returns a bad key fails the attempt
 * without retries: the same item would give the same answer again.
 */
function stateItemKeyOf(task: TaskDefinition, attempt: AttemptSpec): string | undefined | FinishedMessage {
  if (task.stateKey === null || attempt.mapItem === undefined) return undefined;
  const where = `stateKey of task "${attempt.taskId}" (map index ${attempt.mapIndex})`;
  try {
    return validateStateItemKey(task.stateKey(attempt.mapItem));
  } catch (error) {
    const problem = error instanceof TidemarkError ? error.message : `threw: ${describeThrown(error)}`;
    return failedOutcome(`${where}: ${problem}; it must return the item's key, a string of 1–512 characters`, false);
  }
}
