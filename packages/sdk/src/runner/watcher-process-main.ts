// The watcher process: spawned by a triggerer (`node --import tsx <this file>`, stdio with "ipc")
// to run the polls of every watcher the triggerer leased, and the checks of deferred tasks' polls
// (SPEC §16), concurrently. It says `ready`, runs each
// `poll` it is sent until that poll's `finished`, and lives until the triggerer disconnects or
// ends it. An error nobody caught ends the process: the triggerer charges it to every poll that was
// running and starts a new process. See watcher-process-protocol.ts in core.
import { TidemarkError } from '@tidemark/core/task-process';
import { describeThrown } from './describe-thrown.ts';
import { runDeferralCheck } from './run-deferral-check.ts';
import { runWatcherPoll } from './run-watcher-poll.ts';
import { TriggererChannel, type WatcherFinishedMessage } from './triggerer-channel.ts';

/** The triggerer went away: nobody is left to report to. */
const EXIT_TRIGGERER_GONE = 70;
/** A watcher threw where no poll could catch it (a timer, an unawaited promise). */
const EXIT_UNCAUGHT = 71;

const polls = new Map<number, AbortController>();
/** After SIGTERM: no new polls; the process exits once the running ones reported how they ended. */
let terminating = false;

const channel = new TriggererChannel(process, {
  onPoll(poll) {
    run(poll.pollId, (signal) => runWatcherPoll(poll, channel.forPoll(poll.pollId), signal));
  },
  onCheck(check) {
    run(check.pollId, (signal) => runDeferralCheck(check, channel.forPoll(check.pollId), signal));
  },
  onAbort(pollId, reason) {
    const controller = polls.get(pollId);
    if (controller && !controller.signal.aborted) controller.abort(new TidemarkError('poll_aborted', reason));
  },
});

/** Runs a watcher poll or a deferral check until it reports how it ended. */
function run(pollId: number, body: (signal: AbortSignal) => Promise<WatcherFinishedMessage>): void {
  if (polls.has(pollId) || terminating) return;
  const controller = new AbortController();
  polls.set(pollId, controller);
  void body(controller.signal)
    .then((finished) => channel.finish(finished))
    .catch(() => process.exit(EXIT_TRIGGERER_GONE))
    .finally(() => {
      polls.delete(pollId);
      if (terminating) exitWhenIdle();
    });
}

function abortAll(reason: string): void {
  for (const controller of polls.values()) {
    if (!controller.signal.aborted) controller.abort(new TidemarkError('poll_aborted', reason));
  }
}

function exitWhenIdle(): void {
  if (polls.size === 0) process.exit(0);
}

process.on('SIGTERM', () => {
  terminating = true;
  abortAll('the watcher process received SIGTERM (the triggerer is stopping)');
  exitWhenIdle();
});
process.on('disconnect', () => process.exit(EXIT_TRIGGERER_GONE));
process.on('uncaughtException', (error) => {
  process.stderr.write(`uncaught exception in a watcher: ${describeThrown(error)}\n`, () =>
    process.exit(EXIT_UNCAUGHT),
  );
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`unhandled promise rejection in a watcher: ${describeThrown(reason)}\n`, () =>
    process.exit(EXIT_UNCAUGHT),
  );
});
