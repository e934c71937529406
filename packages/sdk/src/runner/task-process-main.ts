// The task process: spawned by a worker's supervisor (`node --import tsx <this file>`, stdio with
// "ipc"). It waits for `start`, runs the task, and sends one `finished` message. Without `reuse` it
// then exits 0 once that message has left; with it, it cleans up after the attempt (AttemptIsolation),
// marks the end of the attempt's output, says `ready`, and waits for the next `start`
// (`worker.max_attempts_per_process`). See supervisor-protocol.ts in core.
import { ATTEMPT_OUTPUT_END_MARKER, TASK_PROCESS_EXIT_OK } from '@tidemark/core/task-process';
import { TaskTerminatedError } from '../errors.ts';
import { AttemptIsolation } from './attempt-isolation.ts';
import { failedOutcome } from './attempt-outcome.ts';
import { ImportedDagFiles } from './dag-file-versions.ts';
import { describeThrown } from './describe-thrown.ts';
import { runAttempt } from './run-attempt.ts';
import { type AttemptRequester, type FinishedMessage, SupervisorChannel } from './supervisor-channel.ts';

/** The supervisor went away before the attempt finished: nobody is left to report to. */
const EXIT_SUPERVISOR_GONE = 70;
/** Code an attempt left running threw after that attempt had reported (or between attempts). */
const EXIT_UNCAUGHT = 71;

interface RunningAttempt {
  readonly termination: AbortController;
  readonly requester: AttemptRequester;
  /** The attempt's `finished` is sent (or being sent): nothing else may report for it. */
  finishing: boolean;
}

const supervisor = new SupervisorChannel(process);
const isolation = new AttemptIsolation();
const dagFiles = new ImportedDagFiles();
let current: RunningAttempt | undefined;
/** SIGTERM: the running attempt is the last one. */
let terminating = false;

/** Sends the attempt's `finished` once; false when it was already sent. Exits when nobody listens. */
async function finish(attempt: RunningAttempt, outcome: FinishedMessage): Promise<boolean> {
  if (attempt.finishing) return false;
  attempt.finishing = true;
  try {
    await supervisor.finish(outcome);
  } catch {
    process.exit(EXIT_SUPERVISOR_GONE);
  }
  return true;
}

/** An error nobody caught: it fails the running attempt (the process is not reused), or ends the process. */
function onUncaught(what: string, thrown: unknown): void {
  const attempt = current;
  const description = `${what}: ${describeThrown(thrown)}`;
  if (attempt && !attempt.finishing) {
    void finish(attempt, failedOutcome(description, true)).then(() => process.exit(TASK_PROCESS_EXIT_OK));
    return;
  }
  process.stderr.write(`${description} (after its attempt had reported)\n`, () => process.exit(EXIT_UNCAUGHT));
}

process.on('SIGTERM', () => {
  terminating = true;
  const attempt = current;
  if (!attempt) process.exit(TASK_PROCESS_EXIT_OK);
  else if (!attempt.termination.signal.aborted) attempt.termination.abort(new TaskTerminatedError('SIGTERM'));
});
process.on('disconnect', () => {
  if (!current?.finishing) process.exit(EXIT_SUPERVISOR_GONE);
});
process.on('uncaughtException', (error) => onUncaught('uncaught exception', error));
process.on('unhandledRejection', (reason) => onUncaught('unhandled promise rejection', reason));

/** A line on stdout and on stderr after all of the attempt's output: the supervisor waits for both. */
function markEndOfOutput(): Promise<void> {
  const mark = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => stream.write(`${ATTEMPT_OUTPUT_END_MARKER}\n`, () => resolve()));
  return Promise.all([mark(process.stdout), mark(process.stderr)]).then(() => undefined);
}

for (;;) {
  const start = await supervisor.waitForStart();
  const attempt: RunningAttempt = {
    termination: new AbortController(),
    requester: supervisor.forAttempt(),
    finishing: false,
  };
  current = attempt;
  if (terminating) attempt.termination.abort(new TaskTerminatedError('SIGTERM'));
  isolation.begin();
  const outcome = await runAttempt(start.attempt, attempt.requester, attempt.termination.signal, (file, dagId) =>
    dagFiles.load(file, dagId),
  );
  if (!(await finish(attempt, outcome))) break; // an uncaught error reported it; the process exits
  attempt.requester.end();
  isolation.end();
  current = undefined;
  if (!start.reuse || terminating) process.exit(TASK_PROCESS_EXIT_OK);
  await markEndOfOutput();
  const memory = process.memoryUsage();
  await supervisor
    .ready({ type: 'ready', rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, dagFiles: dagFiles.versions() })
    .catch(() => process.exit(EXIT_SUPERVISOR_GONE));
}
