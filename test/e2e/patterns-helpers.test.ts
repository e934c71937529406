import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TidemarkProcess } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeJobService } from '../../packages/sdk/src/patterns/fixtures/fake-job-service.ts';
import { E2eEnvironment } from './support/e2e-environment.ts';

// The pattern helpers through worker → execution API → database (dags/patterns_helpers.ts).
describe.each(eachDialect())('pattern helpers end to end on %s', (dialect) => {
  let processes: TidemarkProcess[] = [];
  let env: E2eEnvironment | undefined;
  let scratch: string | undefined;

  afterEach(async () => {
    await Promise.all(processes.map((process) => process.stop()));
    processes = [];
    await env?.destroy();
    env = undefined;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  async function taskState(world: E2eEnvironment, runId: string, taskId: string) {
    const rows = await world.database.db
      .selectFrom('task_state')
      .select(['key', 'value', 'expires_at'])
      .where('dag_id', '=', 'patterns_helpers')
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .orderBy('key')
      .execute();
    return rows.map((row) => ({ key: row.key, value: JSON.parse(row.value), expires_at: row.expires_at }));
  }

  async function assetState(world: E2eEnvironment, key: string) {
    const row = await world.database.db
      .selectFrom('asset_state')
      .innerJoin('asset', 'asset.id', 'asset_state.asset_id')
      .select(['asset_state.value', 'asset_state.version'])
      .where('asset.name', '=', 'patterns_orders')
      .where('asset_state.key', '=', key)
      .executeTakeFirst();
    return row && { value: JSON.parse(row.value), version: row.version };
  }

  it('checkpoint, resumable and watermark each resume on the retry', { timeout: 120_000 }, async () => {
    env = await E2eEnvironment.create(dialect);
    const world = env;
    scratch = mkdtempSync(join(tmpdir(), 'tidemark-patterns-'));
    const jobsFile = join(scratch, 'jobs.json');
    FakeJobService.create(jobsFile, { pollsToFinish: 2 });
    const standalone = TidemarkProcess.start(['standalone'], world.env);
    processes.push(standalone);
    await standalone.waitFor(/Tidemark is running at http/);
    await world.waitForDag('patterns_helpers');

    await triggerDagRun(world.database, {
      dagId: 'patterns_helpers',
      runId: 'first',
      conf: { jobs_file: jobsFile, until: '2026-01-01T00:00:00Z' },
    });
    expect(await world.waitForRunFinished('patterns_helpers', 'first', 90_000)).toBe('success');
    const tis = await world.taskInstances('patterns_helpers', 'first');
    expect(tis.map((ti) => [ti.task_id, ti.state, ti.try_number])).toEqual([
      ['checkpointed', 'success', 2],
      ['external_job', 'success', 2],
      ['load_orders', 'success', 2],
    ]);

    // checkpoint: try 2 skipped the 120 items try 1 completed before it threw.
    expect(await world.xcom('patterns_helpers', 'first', 'checkpointed')).toEqual({
      skipped: 120,
      processed: 180,
      done: 300,
    });
    expect(await taskState(world, 'first', 'checkpointed')).toEqual([
      {
        key: 'files',
        value: {
          format: 'tidemark.checkpoint/1',
          done: 300,
          total: 300,
          ranges: [['file-0000.csv', 'file-0299.csv', 300, expect.any(Number)]],
        },
        expires_at: expect.any(Number),
      },
    ]);

    // resumable: try 1 died while polling; try 2 re-attached to the same job.
    expect(await world.xcom('patterns_helpers', 'first', 'external_job')).toEqual({
      jobId: 'job-1',
      decision: 'reattach',
      result: 'output of job-1',
    });
    expect(new FakeJobService(jobsFile).read().submitCalls).toHaveLength(1);
    const [job] = await taskState(world, 'first', 'external_job');
    expect(job).toMatchObject({ key: 'job', value: { job_id: 'job-1', status: 'succeeded' }, expires_at: null });

    // watermark: the failed try's staged commit was dropped, the successful one applied.
    expect(await world.xcom('patterns_helpers', 'first', 'load_orders')).toEqual({ from: '1970-01-01T00:00:00Z' });
    expect(await assetState(world, 'loaded_until')).toEqual({ value: '2026-01-01T00:00:00Z', version: 1 });

    // The next run reads the committed watermark.
    await triggerDagRun(world.database, {
      dagId: 'patterns_helpers',
      runId: 'second',
      conf: { jobs_file: jobsFile, until: '2026-01-02T00:00:00Z' },
    });
    expect(await world.waitForRunFinished('patterns_helpers', 'second', 90_000)).toBe('success');
    expect(await world.xcom('patterns_helpers', 'second', 'load_orders')).toEqual({ from: '2026-01-01T00:00:00Z' });
    expect(await assetState(world, 'loaded_until')).toEqual({ value: '2026-01-02T00:00:00Z', version: 2 });
  });
});
