// A stand-in for a remote job service (Spark, a batch API) for the deferral tests: jobs are files
// under a folder, shared by every process (task processes submit, the triggerer's watcher process
// polls), and a job simply ends `seconds` after it was accepted (no process runs it, so hundreds
// stay cheap). Idempotent on the idempotency key: a replayed submit gets the key's job.
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

export interface TimedJob {
  readonly job_id: string;
  readonly idempotency_key: string;
  readonly label: string;
  readonly seconds: number;
  /** Epoch ms when the service accepted it. */
  readonly accepted_at: number;
}

export type TimedJobStatus = { state: 'running' } | { state: 'succeeded'; result: string };

export class TimedJobService {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** Returns the job id; a key seen before gets its job (one job per key, whatever races). */
  submit(request: { readonly idempotencyKey: string; readonly label: string; readonly seconds: number }): string {
    mkdirSync(this.#folder('keys'), { recursive: true });
    mkdirSync(this.#folder('jobs'), { recursive: true });
    appendFileSync(join(this.#root, 'submit-calls.log'), `${JSON.stringify({ ...request, at: Date.now() })}\n`);
    const keyFile = join(this.#folder('keys'), `${encodeURIComponent(request.idempotencyKey)}.json`);
    const existing = readJson<TimedJob>(keyFile);
    if (existing) return existing.job_id;
    const job: TimedJob = {
      job_id: `job-${randomBytes(5).toString('hex')}`,
      idempotency_key: request.idempotencyKey,
      label: request.label,
      seconds: request.seconds,
      accepted_at: Date.now(),
    };
    // The job file appears whole (written, then hard-linked): a submitter killed midway leaves a
    // whole job or none, and two racing submitters of one key get one job.
    const jobFile = join(this.#folder('jobs'), `${job.job_id}.json`);
    writeFileSync(jobFile, JSON.stringify(job));
    try {
      linkSync(jobFile, keyFile);
      return job.job_id;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      unlinkSync(jobFile);
      return (readJson<TimedJob>(keyFile) as TimedJob).job_id;
    }
  }

  poll(jobId: string): TimedJobStatus {
    const job = readJson<TimedJob>(join(this.#folder('jobs'), `${jobId}.json`));
    if (!job) throw new Error(`the job service at ${this.#root} has no job ${jobId}`);
    if (Date.now() < job.accepted_at + job.seconds * 1_000) return { state: 'running' };
    return { state: 'succeeded', result: `output of ${jobId}` };
  }

  /** The jobs accepted (one per idempotency key), optionally for one label. */
  jobs(label?: string): TimedJob[] {
    const folder = this.#folder('keys');
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .map((name) => readJson<TimedJob>(join(folder, name)) as TimedJob)
      .filter((job) => label === undefined || job.label === label);
  }

  #folder(name: string): string {
    return join(this.#root, name);
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
