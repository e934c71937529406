import { type DeferralCheckSpec, encodeStateValue, type JsonValue, TidemarkError } from '@tidemark/core/task-process';
import { createTaskLogger } from '../context/task-logger.ts';
import type { PollContext, PollDefinition } from '../dag/poll.ts';
import { describeThrown } from './describe-thrown.ts';
import { loadDagOfCurrentFile } from './loaded-dags.ts';
import type { PollRequester, WatcherFinishedMessage } from './triggerer-channel.ts';

/**
 * One check of a deferred task's poll (SPEC §16), in the watcher process: imports the DAG file
 * (again when it changed), calls the poll function once with the deferral's arguments, and says
 * how it went: `pending` (it returned undefined or null), `fired` with what it returned (JSON), or
 * `error` (it threw, returned something that is not JSON, or the DAG file no longer declares it).
 */
export async function runDeferralCheck(
  check: DeferralCheckSpec,
  triggerer: Pick<PollRequester, 'log'>,
  signal: AbortSignal,
): Promise<WatcherFinishedMessage> {
  const { pollId } = check;
  const label = `poll "${check.pollName}" of DAG "${check.dagId}"`;
  let poll: PollDefinition;
  try {
    const dag = await loadDagOfCurrentFile(check.dagFile, check.dagId);
    const found = dag.getPoll(check.pollName);
    if (!found) {
      throw new TidemarkError(
        'invalid_wait',
        `${label} is not declared in ${check.dagFile} (its polls: ${dag.pollNames.map((name) => `"${name}"`).join(', ') || 'none'}); ` +
          'it was renamed or removed since the task deferred',
      );
    }
    poll = found;
  } catch (error) {
    return {
      type: 'finished',
      pollId,
      outcome: 'error',
      error: error instanceof Error ? error.message : String(error),
    };
  }
  const context: PollContext = Object.freeze({
    dagId: check.dagId,
    runId: check.runId,
    taskId: check.taskId,
    mapIndex: check.mapIndex,
    tryNumber: check.tryNumber,
    signal,
    log: createTaskLogger(triggerer),
  });
  let result: unknown;
  try {
    result = await (poll.fn as (args: JsonValue, ctx: PollContext) => unknown)(check.args, context);
  } catch (error) {
    if (signal.aborted) return { type: 'finished', pollId, outcome: 'ended' };
    return { type: 'finished', pollId, outcome: 'error', error: `${label} threw: ${describeThrown(error)}` };
  }
  if (result === undefined || result === null) return { type: 'finished', pollId, outcome: 'pending' };
  try {
    encodeStateValue(result, 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^state value /, 'the value ') : String(error);
    return {
      type: 'finished',
      pollId,
      outcome: 'error',
      error: `${label} returned something that is not JSON (${reason}); return a JSON value, or undefined while waiting`,
    };
  }
  return { type: 'finished', pollId, outcome: 'fired', event: result as JsonValue };
}
