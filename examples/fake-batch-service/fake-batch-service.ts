import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  JobFiles,
  type JobResultRecord,
  type JobStatusRecord,
  readJsonFile,
  type SubmissionRecord,
  writeJsonFileAtomically,
} from './job-files.ts';

/** What `poll` says about a job, in the shape the SDK's `resumable` expects. */
export type FakeJobStatus =
  | { state: 'running'; detail?: { progress: number } }
  | { state: 'succeeded' }
  | { state: 'failed'; reason?: string };

export interface SubmitRequest {
  /** The same key always gets the same job: a replayed submit starts nothing new. */
  readonly idempotencyKey: string;
  /** Who submits; `submissions(label)` counts the accepted submissions with this label. */
  readonly label: string;
  /** How long the job runs. */
  readonly seconds: number;
}

/** One line of `submit-calls.log`. */
export interface SubmitCall extends SubmitRequest {
  readonly at: string;
}

const JOB_RUNNER = join(import.meta.dirname, 'job-runner.ts');

/**
 * A stand-in for a remote batch service (Spark, EMR, a render farm), made of files under a folder.
 * Each job runs in a detached process of its own, so it keeps running when the task process or the
 * worker that submitted it is killed, like a job on another machine would.
 */
export class FakeBatchService {
  readonly #files: JobFiles;
  readonly #submitLatencyMs: number;

  /**
   * `home` is Tidemark's home folder; the service lives in `<home>/fake-batch`. `submitLatencyMs`
   * delays the answer to a submit after the service accepted it, like a slow network: a submitter
   * killed meanwhile never learns the job id, although the job runs.
   */
  constructor(home: string, options: { readonly submitLatencyMs?: number } = {}) {
    this.#files = new JobFiles(join(home, 'fake-batch'));
    this.#submitLatencyMs = options.submitLatencyMs ?? 0;
  }

  get folder(): string {
    return this.#files.root;
  }

  /** Returns the job id; a submit with a key the service has seen returns that key's job. */
  async submit(request: SubmitRequest): Promise<string> {
    mkdirSync(this.#files.submissionsFolder, { recursive: true });
    appendFileSync(this.#files.submitCallsLog, `${JSON.stringify({ ...request, at: new Date().toISOString() })}\n`);
    const accepted = this.#acceptOnce(request);
    // Also for a replay: the submitter may have died after the submission was accepted but
    // before the runner started.
    if (!existsSync(this.#files.statusFile(accepted.job_id))) startRunner(this.#files, accepted);
    if (this.#submitLatencyMs > 0) await sleep(this.#submitLatencyMs);
    return accepted.job_id;
  }

  async poll(jobId: string): Promise<FakeJobStatus> {
    this.#requireJob(jobId);
    const status = readJsonFile<JobStatusRecord>(this.#files.statusFile(jobId));
    if (status === undefined) return { state: 'running', detail: { progress: 0 } };
    switch (status.state) {
      case 'running':
        return { state: 'running', detail: { progress: status.progress } };
      case 'succeeded':
        return { state: 'succeeded' };
      default:
        return { state: 'failed', reason: status.reason ?? status.state };
    }
  }

  async result(jobId: string): Promise<JobResultRecord> {
    this.#requireJob(jobId);
    const result = readJsonFile<JobResultRecord>(this.#files.resultFile(jobId));
    if (result === undefined) throw new Error(`fake batch job ${jobId} has no result yet: poll it until it succeeded`);
    return result;
  }

  async cancel(jobId: string): Promise<void> {
    this.#requireJob(jobId);
    writeFileSync(this.#files.cancelMarker(jobId), '');
  }

  /** The submissions the service accepted (replays of a key not counted), optionally for one label. */
  submissions(label?: string): SubmissionRecord[] {
    if (!existsSync(this.#files.submissionsFolder)) return [];
    return readdirSync(this.#files.submissionsFolder)
      .filter((name) => name.endsWith('.json'))
      .map((name) => readJsonFile<SubmissionRecord>(join(this.#files.submissionsFolder, name)) as SubmissionRecord)
      .filter((record) => label === undefined || record.label === label);
  }

  /** Every submit call, replays of a key included, oldest first, optionally for one label. */
  submitCalls(label?: string): SubmitCall[] {
    if (!existsSync(this.#files.submitCallsLog)) return [];
    return readFileSync(this.#files.submitCallsLog, 'utf8')
      .split('\n')
      .filter((line) => line.endsWith('}'))
      .map((line) => JSON.parse(line) as SubmitCall)
      .filter((call) => label === undefined || call.label === label);
  }

  /**
   * Accepts the request unless its key was accepted before. The submission file appears atomically
   * (hard link of a complete file), so a submitter killed at any point leaves either no submission
   * or a whole one, and two racing submitters with one key get one job.
   */
  #acceptOnce(request: SubmitRequest): SubmissionRecord {
    const target = this.#files.submissionFile(request.idempotencyKey);
    const existing = readJsonFile<SubmissionRecord>(target);
    if (existing !== undefined) return existing;
    const record: SubmissionRecord = {
      job_id: `job-${randomBytes(4).toString('hex')}`,
      idempotency_key: request.idempotencyKey,
      label: request.label,
      seconds: request.seconds,
      submitted_at: new Date().toISOString(),
    };
    mkdirSync(this.#files.jobFolder(record.job_id), { recursive: true });
    const draft = join(this.#files.jobFolder(record.job_id), 'submission.json');
    writeJsonFileAtomically(draft, record);
    try {
      linkSync(draft, target);
      return record;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      unlinkSync(draft);
      return readJsonFile<SubmissionRecord>(target) as SubmissionRecord;
    }
  }

  #requireJob(jobId: string): void {
    if (!existsSync(this.#files.jobFolder(jobId))) {
      throw new Error(`fake batch service at ${this.#files.root} has no job ${jobId}`);
    }
  }
}

/**
 * Starts the job's runner as a detached process (its own session, no pipes to us) that outlives
 * its submitter. Node's flags are passed on, so the runner loads TypeScript the way we do.
 */
function startRunner(files: JobFiles, submission: SubmissionRecord): void {
  const runner = spawn(
    process.execPath,
    [...process.execArgv, JOB_RUNNER, files.root, submission.job_id, String(submission.seconds)],
    { detached: true, stdio: 'ignore' },
  );
  runner.unref();
}
