import type { DeferralWait, DeferralWaitWire, FinishRequest, TaskToSupervisor } from '@tidemark/core';
import type { TaskProcessExit } from './task-process.ts';

/** What the supervisor reports with finish, or `stale` when it must not report at all. */
export type AttemptOutcome = FinishRequest | { readonly state: 'stale'; readonly reason: string };

export type FinishedMessage = Extract<TaskToSupervisor, { type: 'finished' }>;

/** Why the supervisor ended the task process before it finished on its own. */
export type Interruption =
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'stale'; readonly reason: string }
  | { readonly kind: 'stopped' };

/** The finish request's `error` is capped at 10,000 characters by the contract. */
const MAX_ERROR_CHARS = 10_000;
const STDERR_TAIL_LINES = 20;

export function outcomeFromFinishedMessage(message: FinishedMessage): AttemptOutcome {
  switch (message.outcome) {
    case 'success':
      return {
        state: 'success',
        ...(message.returnValue === undefined ? {} : { return_value: message.returnValue }),
        ...(message.outletEvents?.length ? { outlet_events: message.outletEvents.map((event) => ({ ...event })) } : {}),
      };
    case 'failed':
      return { state: 'failed', error: capError(message.error), retryable: message.retryable };
    case 'skipped':
      return { state: 'skipped', reason: capError(message.reason) };
    case 'deferred':
      return {
        state: 'deferred',
        wait: deferralWaitToWire(message.wait),
        ...(message.timeoutMs === undefined ? {} : { timeout_ms: message.timeoutMs }),
      };
  }
}

function deferralWaitToWire(wait: DeferralWait): DeferralWaitWire {
  if (wait.kind === 'poll') return { kind: 'poll', name: wait.name, args: wait.args, every_ms: wait.everyMs };
  return 'until' in wait ? { kind: 'timer', until: wait.until } : { kind: 'timer', delay_ms: wait.delayMs };
}

export function outcomeFromInterruption(interruption: Interruption): AttemptOutcome {
  switch (interruption.kind) {
    case 'stale':
      return { state: 'stale', reason: interruption.reason };
    case 'timeout':
      return { state: 'failed', error: `timed out after ${formatSeconds(interruption.timeoutMs)}`, retryable: true };
    case 'stopped':
      return {
        state: 'failed',
        error: 'the worker was stopped before the task finished, and ended the task process',
        retryable: true,
      };
  }
}

/** A process that ended without reporting an outcome: a crash, a signal, the OOM killer. */
export function outcomeFromCrash(exit: TaskProcessExit, stderrTail: readonly string[]): AttemptOutcome {
  const reason = describeExit(exit);
  const tail = stderrTail.slice(-STDERR_TAIL_LINES);
  const error = tail.length > 0 ? `${reason}; last stderr lines:\n${tail.join('\n')}` : reason;
  return { state: 'failed', error: capError(error), retryable: true };
}

export function describeExit(exit: TaskProcessExit): string {
  if (exit.spawnError) return `the task process could not be started: ${exit.spawnError.message}`;
  if (exit.signal) return `task process was killed by ${exit.signal}`;
  if (exit.code === 0) return 'task process exited with code 0 without reporting how the task ended';
  return `task process exited with code ${exit.code}`;
}

/** One line for the attempt log: how it ended; a failure says whether a retry follows. */
export function describeOutcome(
  outcome: AttemptOutcome,
  tries: { readonly try_number: number; readonly max_tries: number },
): string {
  switch (outcome.state) {
    case 'success':
      return 'task succeeded';
    case 'skipped':
      return `task skipped: ${outcome.reason}`;
    case 'deferred':
      return outcome.wait.kind === 'poll'
        ? `task deferred: waiting for poll "${outcome.wait.name}" on a triggerer; its worker slot is free`
        : 'task deferred: waiting for a timer on a triggerer; its worker slot is free';
    case 'failed':
      return `task failed (${failureNote(outcome.retryable, tries)}): ${outcome.error}`;
    case 'stale':
      return 'attempt abandoned: the task instance moved on, so its outcome is not reported';
  }
}

function failureNote(retryable: boolean, tries: { readonly try_number: number; readonly max_tries: number }): string {
  if (!retryable) return 'not retryable';
  if (tries.try_number >= tries.max_tries) return `try ${tries.try_number} of ${tries.max_tries}, no retry left`;
  return `try ${tries.try_number} of ${tries.max_tries}, retryable`;
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function capError(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS - 20)}… (cut)`;
}
