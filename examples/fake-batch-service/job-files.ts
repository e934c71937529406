import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A submission the service accepted: one file per idempotency key, so a replay finds it. */
export interface SubmissionRecord {
  readonly job_id: string;
  readonly idempotency_key: string;
  /** Who submitted it (the examples use `dag_id/run_id/task_id`); `submissions(label)` counts by it. */
  readonly label: string;
  readonly seconds: number;
  readonly submitted_at: string;
}

/** What the job runner reports while it works and when it stops. */
export interface JobStatusRecord {
  readonly state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly runner_pid: number;
  readonly progress: number;
  readonly updated_at: string;
  readonly reason?: string;
}

/** What a finished job produced (a type, not an interface, so that it counts as JSON for the SDK). */
export type JobResultRecord = {
  readonly job_id: string;
  readonly rows: number;
  readonly output: string;
};

/**
 * Where the fake batch service keeps everything, under `<root>` (`<TIDEMARK_HOME>/fake-batch`):
 *
 *   submissions/<sha256 of the idempotency key>.json   one per accepted submission (SubmissionRecord)
 *   submit-calls.log                                   one line per submit call, replays included
 *   jobs/<job_id>/runner.lock                          taken by the one runner that runs the job
 *   jobs/<job_id>/status.json                          JobStatusRecord, rewritten as the job runs
 *   jobs/<job_id>/result.json                          JobResultRecord, once it succeeded
 *   jobs/<job_id>/cancel                               asks the runner to stop
 */
export class JobFiles {
  constructor(readonly root: string) {}

  get submissionsFolder(): string {
    return join(this.root, 'submissions');
  }

  get submitCallsLog(): string {
    return join(this.root, 'submit-calls.log');
  }

  submissionFile(idempotencyKey: string): string {
    const digest = createHash('sha256').update(idempotencyKey).digest('hex');
    return join(this.submissionsFolder, `${digest}.json`);
  }

  jobFolder(jobId: string): string {
    return join(this.root, 'jobs', jobId);
  }

  runnerLock(jobId: string): string {
    return join(this.jobFolder(jobId), 'runner.lock');
  }

  statusFile(jobId: string): string {
    return join(this.jobFolder(jobId), 'status.json');
  }

  resultFile(jobId: string): string {
    return join(this.jobFolder(jobId), 'result.json');
  }

  cancelMarker(jobId: string): string {
    return join(this.jobFolder(jobId), 'cancel');
  }
}

export function readJsonFile<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

/** Readers never see half a file: write a temporary file, then rename it over the target. */
export function writeJsonFileAtomically(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value)}\n`);
  renameSync(temporary, path);
}
