// The task process: spawned by a worker's supervisor (`node --import tsx <this file>`, stdio with
// "ipc") to run exactly one attempt. It waits for `start`, runs the task, sends one `finished`
// message, and exits 0 once that message has left. See supervisor-protocol.ts in core.
import { TASK_PROCESS_EXIT_OK } from '@tidemark/core/task-process';
import { TaskTerminatedError } from '../errors.ts';
import { failedOutcome } from './attempt-outcome.ts';
import { describeThrown } from './describe-thrown.ts';
import { runAttempt } from './run-attempt.ts';
import { type FinishedMessage, SupervisorChannel } from './supervisor-channel.ts';

/** The supervisor went away before the attempt finished: nobody is left to report to. */
const EXIT_SUPERVISOR_GONE = 70;

const supervisor = new SupervisorChannel(process);
const termination = new AbortController();
let finishing = false;

async function finishAndExit(outcome: FinishedMessage): Promise<void> {
  if (finishing) return;
  finishing = true;
  try {
    await supervisor.finish(outcome);
  } catch {
    process.exit(EXIT_SUPERVISOR_GONE);
  }
  process.exit(TASK_PROCESS_EXIT_OK);
}

process.on('SIGTERM', () => {
  if (!termination.signal.aborted) termination.abort(new TaskTerminatedError('SIGTERM'));
});
process.on('disconnect', () => {
  if (!finishing) process.exit(EXIT_SUPERVISOR_GONE);
});
process.on('uncaughtException', (error) => {
  void finishAndExit(failedOutcome(`uncaught exception: ${describeThrown(error)}`, true));
});
process.on('unhandledRejection', (reason) => {
  void finishAndExit(failedOutcome(`unhandled promise rejection: ${describeThrown(reason)}`, true));
});

const attempt = await supervisor.waitForStart();
await finishAndExit(await runAttempt(attempt, supervisor, termination.signal));
