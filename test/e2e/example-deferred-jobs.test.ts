// The deferral example (examples/dags/example_deferred_jobs.ts) as a user runs it: `tidemark
// standalone` with worker.parallelism 2, more jobs than slots, and a SIGKILL of the whole
// standalone while the tasks wait on their jobs.

import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TidemarkProcess } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBatchService } from '../../examples/fake-batch-service/fake-batch-service.ts';
import { E2eEnvironment } from './support/e2e-environment.ts';
import { stopFakeBatchJobs } from './support/fake-batch-jobs.ts';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'dags', 'example_deferred_jobs.ts');
const DAG_ID = 'example_deferred_jobs';
const JOBS = 6;

describe.each(eachDialect())('example_deferred_jobs on %s', (dialect) => {
  let standalone: TidemarkProcess | undefined;
  let world: E2eEnvironment | undefined;
  let dagsFolder: string | undefined;

  afterEach(async () => {
    await standalone?.stop();
    if (world) stopFakeBatchJobs(world.home);
    await world?.destroy();
    if (dagsFolder) rmSync(dagsFolder, { recursive: true, force: true });
    standalone = undefined;
    world = undefined;
    dagsFolder = undefined;
  });

  it(`${JOBS} jobs on 2 worker slots all wait at once, survive a SIGKILL of standalone, and are each submitted once`, {
    timeout: 180_000,
  }, async () => {
    dagsFolder = mkdtempSync(join(tmpdir(), 'tidemark-deferral-example-'));
    symlinkSync(EXAMPLE, join(dagsFolder, 'example_deferred_jobs.ts'));
    world = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: dagsFolder,
      TIDEMARK_WORKER__PARALLELISM: '2',
      TIDEMARK_TRIGGERER__LEASE_TIMEOUT: '1500ms',
    });
    const env = world;
    standalone = TidemarkProcess.start(['standalone'], env.env);
    await env.waitForDag(DAG_ID);
    await triggerDagRun(env.database, { dagId: DAG_ID, runId: 'jobs', conf: { jobs: JOBS, job_seconds: 8 } });

    const deferredAtOnce = () =>
      env.database.db
        .selectFrom('task_instance')
        .select('map_index')
        .where('run_id', '=', 'jobs')
        .where('task_id', '=', 'run_job')
        .where('state', '=', 'deferred')
        .execute();
    await waitUntil(
      async () => (await deferredAtOnce()).length === JOBS,
      `all ${JOBS} run_job tasks to be deferred at once (2 worker slots)`,
      90_000,
    );

    standalone.kill('SIGKILL');
    await standalone.exited;
    standalone = TidemarkProcess.start(['standalone'], env.env);
    expect(await env.waitForRunFinished(DAG_ID, 'jobs', 120_000)).toBe('success');

    expect(await env.xcom(DAG_ID, 'jobs', 'report')).toEqual({ jobs: JOBS, submitted_twice: [] });
    const service = new FakeBatchService(env.home);
    expect(service.submissions().length).toBe(JOBS);
    const states = await env.database.db
      .selectFrom('task_instance')
      .select('state')
      .where('run_id', '=', 'jobs')
      .where('task_id', '=', 'run_job')
      .execute();
    expect(states).toEqual(Array.from({ length: JOBS }, () => ({ state: 'success' })));
  });
});
