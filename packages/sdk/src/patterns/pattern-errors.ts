import { TidemarkError } from '@tidemark/core/task-process';

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
