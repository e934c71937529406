// Deferral (SPEC §16) in real processes: an api-server, a scheduler, one `tidemark worker` with
// worker.parallelism 2 and a `tidemark triggerer`. Tasks submit a job with `resumable` in
// deferrable mode and defer until the triggerer sees it end (test/e2e/dags-deferral).
//
// TIDEMARK_E2E_DEFERRED_TASKS (default 40) sets how many tasks the parallelism test defers;
// TIDEMARK_E2E_DEFERRAL_TRIALS (default 4 per dialect) how many SIGKILL trials run. The seed of
// the kill points is logged; TIDEMARK_E2E_SEED=<seed> replays them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TidemarkCluster, TidemarkProcess } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { TimedJobService } from './support/timed-job-service.ts';

const DEFERRAL_DAGS = join(import.meta.dirname, 'dags-deferral');
const DAG_ID = 'e2e_deferred_jobs';
const DEFERRED_TASKS = wholeNumberFromEnv('TIDEMARK_E2E_DEFERRED_TASKS', 40);
const KILL_TRIALS = wholeNumberFromEnv('TIDEMARK_E2E_DEFERRAL_TRIALS', 4);
const TASKS_PER_TRIAL = 3;

const seeds = SeededRandom.fromEnvironment();
console.info(`deferral: seed ${seeds.seed} (replay with TIDEMARK_E2E_SEED=${seeds.seed})`);

describe.each(eachDialect())('deferred tasks in real processes on %s', (dialect) => {
  let world: E2eEnvironment | undefined;
  let cluster: TidemarkCluster<E2eEnvironment> | undefined;
  let triggerer: TidemarkProcess | undefined;
  const log = (line: string) => console.info(`[deferral ${dialect} seed ${seeds.seed}] ${line}`);

  afterEach(async () => {
    await triggerer?.stop();
    await cluster?.stop();
    await world?.destroy();
    triggerer = undefined;
    cluster = undefined;
    world = undefined;
  });

  async function start() {
    world = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: DEFERRAL_DAGS,
      TIDEMARK_WORKER__PARALLELISM: '2',
      TIDEMARK_TRIGGERER__LEASE_TIMEOUT: '1500ms',
    });
    cluster = await TidemarkCluster.start(world, { workers: 1 });
    triggerer = startTriggerer(world);
    await world.waitForDag(DAG_ID);
    return { world, cluster, service: new TimedJobService(join(world.home, 'timed-jobs')) };
  }

  it(`worker.parallelism 2: ${DEFERRED_TASKS} deferred tasks all complete, never more than 2 running at once`, {
    timeout: 300_000,
  }, async () => {
    const { world, service } = await start();
    const runId = 'many';
    await triggerDagRun(world.database, { dagId: DAG_ID, runId, conf: { count: DEFERRED_TASKS, job_seconds: 3 } });
    let mostDeferred = 0;
    const state = await waitUntil(
      async () => {
        const deferred = await world.database.db
          .selectFrom('task_instance')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('run_id', '=', runId)
          .where('state', '=', 'deferred')
          .executeTakeFirstOrThrow();
        mostDeferred = Math.max(mostDeferred, Number(deferred.n));
        const run = await world.runState(DAG_ID, runId);
        return run === 'success' || run === 'failed' ? run : undefined;
      },
      `the ${DEFERRED_TASKS} deferred tasks to finish`,
      240_000,
      100,
    );
    expect(state).toBe('success');

    const tis = (await world.taskInstances(DAG_ID, runId)).filter((ti) => ti.task_id === 'run_job');
    expect(tis).toHaveLength(DEFERRED_TASKS);
    // A deferral does not use a try: every task resumed in its first.
    expect(tis.map((ti) => `${ti.state} ${ti.try_number}`)).toEqual(tis.map(() => 'success 1'));
    const slots = readFileSync(join(world.home, 'slots', 'taken.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
    // Each task took a slot twice: once to submit and defer, once resumed.
    expect(slots).toHaveLength(2 * DEFERRED_TASKS);
    expect(Math.max(...slots)).toBeLessThanOrEqual(1);
    // While two slots at most ran task code, many more tasks waited on their jobs.
    expect(mostDeferred).toBeGreaterThan(2);
    for (const ti of tis) expect(service.jobs(`${runId}/${ti.map_index}`)).toHaveLength(1);
    expect(await world.xcom(DAG_ID, runId, 'run_job', 0)).toMatchObject({
      result: expect.stringMatching(/^output of job-/),
      try_number: 1,
    });
    log(`${DEFERRED_TASKS} tasks: at most ${mostDeferred} deferred at once, at most 2 slots taken`);
  });

  it(`SIGKILL of the triggerer or the worker at random points (${KILL_TRIALS} trials): no job submitted twice, no task stuck`, {
    timeout: 120_000 + KILL_TRIALS * 60_000,
  }, async () => {
    const { world, cluster, service } = await start();
    const random = seeds.derive(`${dialect}/deferral-kills`);
    for (let trial = 1; trial <= KILL_TRIALS; trial++) {
      const runId = `trial-${trial}`;
      await triggerDagRun(world.database, {
        dagId: DAG_ID,
        runId,
        conf: { count: TASKS_PER_TRIAL, job_seconds: 1 + random.integer(0, 2) },
      });
      // A worker dies while it runs a try (submitting, deferring, or resumed); a triggerer while
      // it waits on jobs (a check or a fire may be in flight).
      const target = random.next() < 0.5 ? 'triggerer' : 'worker';
      await untilSomeTaskIs(world, runId, target === 'worker' ? 'running' : 'deferred');
      const delayMs = random.integer(0, target === 'worker' ? 400 : 1_500);
      await sleep(delayMs);
      if (target === 'triggerer') {
        const killed = triggerer as TidemarkProcess;
        killed.kill('SIGKILL');
        await killed.exited;
        triggerer = startTriggerer(world);
      } else {
        const [worker] = cluster.workers;
        if (worker) await cluster.killWorker(worker.pid);
      }
      const state = await world.waitForRunFinished(DAG_ID, runId, 90_000);
      const tis = (await world.taskInstances(DAG_ID, runId)).filter((ti) => ti.task_id === 'run_job');
      log(
        `trial ${trial}: SIGKILL ${target} ${delayMs} ms after a task was ${target === 'worker' ? 'running' : 'deferred'}; ` +
          `run ${state}; tries ${tis.map((ti) => ti.try_number).join(',')}`,
      );
      expect(state).toBe('success');
      expect(tis).toHaveLength(TASKS_PER_TRIAL);
      for (const ti of tis) {
        const jobs = service.jobs(`${runId}/${ti.map_index}`);
        expect(jobs, `${runId}/${ti.map_index}`).toHaveLength(1);
        expect(await world.xcom(DAG_ID, runId, 'run_job', ti.map_index)).toMatchObject({ job_id: jobs[0]?.job_id });
      }
    }
  });
});

async function untilSomeTaskIs(world: E2eEnvironment, runId: string, state: 'running' | 'deferred'): Promise<void> {
  await waitUntil(
    async () => {
      const found = await world.database.db
        .selectFrom('task_instance')
        .select('id')
        .where('run_id', '=', runId)
        .where('task_id', '=', 'run_job')
        .where('state', '=', state)
        .executeTakeFirst();
      return found ? true : undefined;
    },
    `a task of ${runId} to be ${state}`,
    60_000,
    10,
  );
}

function startTriggerer(world: E2eEnvironment): TidemarkProcess {
  return TidemarkProcess.start(['triggerer', '--api-url', world.apiUrl], world.env);
}

function wholeNumberFromEnv(name: string, fallback: number): number {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  const value = Number(given);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${given}"`);
  return value;
}
