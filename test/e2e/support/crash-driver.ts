import type { TidemarkCluster } from '@tidemark/cli/testing';
import { waitUntil } from '@tidemark/db/testing';
import type { E2eEnvironment } from './e2e-environment.ts';
import { isAlive, type RunningAttempt, type TaskInstanceName, waitForRunningAttempt } from './running-attempt.ts';

/** What a kill hits: the try's task process, or the whole `tidemark worker` running it. */
export type KillTarget = 'task' | 'worker';

export interface PlannedKill {
  readonly target: KillTarget;
  /** Resolves once the attempt reached the point to kill it at, with words for the log. */
  readonly reach: (attempt: RunningAttempt) => Promise<string>;
}

export interface LandedKill {
  readonly target: KillTarget;
  readonly tryNumber: number;
  readonly pid: number;
  readonly point: string;
}

/**
 * SIGKILLs the TI's tries one after another, one planned kill per try: waits for the next try to
 * run, lets it reach its point, kills its task process or its worker (the cluster starts a new
 * worker in its place). A killed worker's TI becomes a zombie that the scheduler fails, so its
 * retry runs on another worker.
 */
export async function killTries(
  cluster: TidemarkCluster<E2eEnvironment>,
  ti: TaskInstanceName,
  kills: readonly PlannedKill[],
  log: (line: string) => void,
): Promise<LandedKill[]> {
  const landed: LandedKill[] = [];
  const startedAt = Date.now();
  let nextTry = 1;
  for (const [index, kill] of kills.entries()) {
    const attempt = await waitForRunningAttempt(cluster.env, ti, nextTry);
    if (attempt === undefined) {
      throw new Error(`${ti.dagId}/${ti.runId} finished before kill ${index + 1} of ${kills.length} could land`);
    }
    const point = await kill.reach(attempt);
    const pid = kill.target === 'task' ? attempt.taskPid : attempt.workerPid;
    if (kill.target === 'task') killTaskProcess(attempt);
    else if (!(await cluster.killWorker(attempt.workerPid))) {
      throw new Error(`try ${attempt.tryNumber} runs on worker pid ${attempt.workerPid}, which is not a live worker`);
    }
    const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
    log(
      `${ti.dagId}/${ti.runId} try ${attempt.tryNumber}: SIGKILL ${kill.target} pid ${pid} ${point} (at ${elapsed} s)`,
    );
    landed.push({ target: kill.target, tryNumber: attempt.tryNumber, pid, point });
    nextTry = attempt.tryNumber + 1;
  }
  return landed;
}

function killTaskProcess(attempt: RunningAttempt): void {
  try {
    process.kill(attempt.taskPid, 'SIGKILL');
  } catch (error) {
    throw new Error(
      `task process ${attempt.taskPid} of try ${attempt.tryNumber} was gone before the kill (${(error as Error).message}): ` +
        'the kill point came after the attempt ended; make the work longer or the points earlier',
    );
  }
}

/**
 * Resolves when `reached` says so; fails when the attempt's task process ends first (the point was
 * never reached in this try).
 */
export async function untilPoint(
  attempt: RunningAttempt,
  reached: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const outcome = await waitUntil(
    async () => ((await reached()) ? 'reached' : isAlive(attempt.taskPid) ? undefined : 'ended'),
    `try ${attempt.tryNumber} to reach ${what}`,
    timeoutMs,
    20,
  );
  if (outcome === 'ended') {
    throw new Error(
      `try ${attempt.tryNumber} ended before it reached ${what}: make the work longer or the point earlier`,
    );
  }
}
