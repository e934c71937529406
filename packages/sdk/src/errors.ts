import { TidemarkError } from '@tidemark/core/task-process';
import { describeThrown } from './runner/describe-thrown.ts';

/** A DAG file that describes an impossible or ambiguous DAG; the DAG processor reports it as an import error. */
export class DagDefinitionError extends TidemarkError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('dag_definition_error', message, details);
  }
}

/** Thrown by a task to end its attempt as `skipped` (no retry, downstream `all_success` tasks are skipped too). */
export class SkipTask extends TidemarkError {
  constructor(readonly reason: string) {
    super('task_skipped', reason);
  }
}

/** Thrown by a task to fail at once, without the retries it has left. */
export class FailTask extends TidemarkError {
  constructor(message: string) {
    super('task_failed', message);
  }
}

/** The reason of `ctx.signal` when the supervisor stops the task process (execution timeout or kill). */
export class TaskTerminatedError extends TidemarkError {
  constructor(signal: NodeJS.Signals) {
    super(
      'task_terminated',
      `the task process received ${signal} (its execution timeout passed or it was killed); ` +
        'stop the work and return or throw: the supervisor kills the process after a grace period',
      { signal },
    );
  }
}

/**
 * `ctx.assetState` was asked about an asset that is not an inlet or outlet of the task. Thrown in
 * the task process before any request; the execution API refuses such a request with 403 as well.
 */
export class UndeclaredAssetError extends TidemarkError {
  constructor(
    readonly asset: string,
    readonly declared: readonly string[],
    message?: string,
  ) {
    super(
      'undeclared_asset',
      message ??
        `asset "${asset}" is not an inlet or outlet of this task, so its state is out of reach; ` +
          `declared assets: ${declared.length === 0 ? 'none' : declared.map((name) => `"${name}"`).join(', ')} ` +
          "(add it to the task's inlets or outlets)",
      { asset, declared: [...declared] },
    );
  }
}

/** A pattern helper (`resumable`, `checkpoint`, `watermark`) was called with options it cannot use. */
export class PatternOptionError extends TidemarkError {
  constructor(message: string) {
    super('invalid_pattern_option', message);
  }
}

/** The external job `resumable` watched ended in failure; the next try submits it again. */
export class ExternalJobFailedError extends TidemarkError {
  constructor(
    readonly key: string,
    readonly jobId: string,
    readonly reason: string | undefined,
  ) {
    super(
      'external_job_failed',
      `external job ${jobId} (resumable "${key}") failed${reason === undefined ? '' : `: ${reason}`}; ` +
        'a retry of this task submits it again with a new idempotency key',
      { key, job_id: jobId, ...(reason === undefined ? {} : { reason }) },
    );
  }
}

/** The DAG file imported, but it does not export the DAG: retrying cannot help. */
export class DagNotInFileError extends TidemarkError {
  constructor(dagId: string, dagFile: string, foundDagIds: readonly string[]) {
    super(
      'dag_not_in_file',
      `DAG "${dagId}" is not defined in ${dagFile}: ` +
        (foundDagIds.length > 0
          ? `the file exports ${foundDagIds.map((id) => `"${id}"`).join(', ')}`
          : 'the file exports no DAG (export the value dag(...) returns, as default or named export)'),
      { dag_id: dagId, dag_file: dagFile },
    );
  }
}

/** The DAG file could not be imported (syntax error, failing import, definition error). */
export class DagFileImportError extends TidemarkError {
  constructor(dagFile: string, cause: unknown) {
    super('dag_file_import_failed', `cannot import DAG file ${dagFile}: ${describeThrown(cause)}`, {
      dag_file: dagFile,
    });
  }
}

/**
 * What `ctx.defer()` throws to end the attempt (SPEC §16): not a failure. The runner reports the
 * deferral; the task function runs again, with the same try number, once the wait fires. Catching
 * it does not undo the deferral.
 */
export class TaskDeferred extends TidemarkError {
  constructor(readonly description: string) {
    super(
      'task_deferred',
      `the task deferred (${description}); it runs again with ctx.resumedWith when the wait fires. ` +
        'This is not an error: let it propagate',
    );
  }
}

/** A wait that cannot be run: a bad timer, an undeclared poll, arguments that are not JSON. */
export class InvalidWaitError extends TidemarkError {
  constructor(message: string) {
    super('invalid_wait', message);
  }
}
