// One fake batch job, run by a detached process: `node job-runner.ts <root> <job_id> <seconds>`.
// The first runner of a job takes its lock; any other exits at once. It reports progress every
// PROGRESS_INTERVAL_MS, stops early when cancelled, and writes the result before the final status.
import { closeSync, existsSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobFiles, type JobResultRecord, type JobStatusRecord, writeJsonFileAtomically } from './job-files.ts';

const PROGRESS_INTERVAL_MS = 200;

const [root, jobId, secondsText] = process.argv.slice(2);
if (root === undefined || jobId === undefined || secondsText === undefined) {
  throw new Error('usage: job-runner.ts <service folder> <job id> <seconds>');
}
const files = new JobFiles(root);
const seconds = Number(secondsText);

if (takeRunnerLock()) await runJob();

function takeRunnerLock(): boolean {
  try {
    closeSync(openSync(files.runnerLock(jobId as string), 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function runJob(): Promise<void> {
  const id = jobId as string;
  const startedAt = Date.now();
  const durationMs = seconds * 1000;
  for (;;) {
    const elapsed = Date.now() - startedAt;
    if (existsSync(files.cancelMarker(id))) return report('cancelled', elapsed / durationMs, 'cancelled on request');
    if (elapsed >= durationMs) break;
    report('running', elapsed / durationMs);
    await sleep(Math.min(PROGRESS_INTERVAL_MS, durationMs - elapsed));
  }
  const result: JobResultRecord = { job_id: id, rows: Math.round(seconds * 1000), output: `fake-batch://${id}/output` };
  writeJsonFileAtomically(files.resultFile(id), result);
  report('succeeded', 1);
}

function report(state: JobStatusRecord['state'], progress: number, reason?: string): void {
  const status: JobStatusRecord = {
    state,
    runner_pid: process.pid,
    progress: Math.min(1, Math.round(progress * 100) / 100),
    updated_at: new Date().toISOString(),
    ...(reason === undefined ? {} : { reason }),
  };
  writeJsonFileAtomically(files.statusFile(jobId as string), status);
}
