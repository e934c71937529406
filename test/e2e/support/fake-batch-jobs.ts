import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './running-attempt.ts';

/** The fake batch service's jobs run detached; stop any a failed test left running. */
export function stopFakeBatchJobs(home: string): void {
  const jobs = join(home, 'fake-batch', 'jobs');
  if (!existsSync(jobs)) return;
  for (const jobId of readdirSync(jobs)) {
    const status = join(jobs, jobId, 'status.json');
    if (!existsSync(status)) continue;
    const { state, runner_pid: pid } = JSON.parse(readFileSync(status, 'utf8')) as {
      state: string;
      runner_pid: number;
    };
    if (state === 'running' && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}
