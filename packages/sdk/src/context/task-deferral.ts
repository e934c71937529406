import { isWait, type Wait, waitDurationMs } from '../dag/wait.ts';
import { InvalidWaitError, TaskDeferred } from '../errors.ts';
import type { FinishedMessage } from '../runner/supervisor-channel.ts';

/** `ctx.defer(wait, { timeout })`. */
export interface DeferOptions {
  /** The try fails (its retry policy applies) if the wait has not fired this long after the deferral. */
  readonly timeout?: number | string;
}

/**
 * `ctx.defer()` of one attempt (SPEC §16): the first call records the deferral and throws
 * TaskDeferred to end the task function; the runner then reports it. Catching the throw does not
 * undo it, and an attempt defers at most once.
 */
export class TaskDeferral {
  #requested: Extract<FinishedMessage, { outcome: 'deferred' }> | undefined;

  readonly defer = async (wait: Wait, options: DeferOptions = {}): Promise<never> => {
    if (this.#requested) {
      throw new InvalidWaitError('this attempt already deferred; ctx.defer() ends the attempt and is called once');
    }
    if (!isWait(wait)) {
      throw new InvalidWaitError(
        `ctx.defer() needs a wait: timer('10m'), timer({ until }), or dag.waitFor(name, args); got ${String(wait)}`,
      );
    }
    const timeoutMs =
      options.timeout === undefined ? undefined : waitDurationMs(options.timeout, 'the timeout of ctx.defer()', 1);
    this.#requested = {
      type: 'finished',
      outcome: 'deferred',
      wait: wait.spec,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
    throw new TaskDeferred(wait.description);
  };

  /** The finished message of a deferred attempt; undefined when the task did not defer. */
  get requested(): FinishedMessage | undefined {
    return this.#requested;
  }
}
