import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TidemarkCluster } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

// Several schedulers are a PostgreSQL feature: they share the work through row locks.
const postgres = eachDialect().includes('postgres');

describe.runIf(postgres)('two schedulers on one PostgreSQL', () => {
  let cluster: TidemarkCluster | undefined;
  let env: E2eEnvironment | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    await env?.destroy();
  });

  it('run a 1,000-TI DAG with every TI attempted exactly once', { timeout: 600_000 }, async () => {
    env = await E2eEnvironment.create('postgres', { TIDEMARK_WORKER__PARALLELISM: '4' });
    const world = env;
    cluster = await TidemarkCluster.start(world, { schedulers: 2, workers: 2 });
    const { schedulers } = cluster;
    await world.waitForDag('e2e_thousand');

    const started = Date.now();
    await triggerDagRun(world.database, { dagId: 'e2e_thousand', runId: 'thousand-1' });
    expect(await world.waitForRunFinished('e2e_thousand', 'thousand-1', 540_000)).toBe('success');
    const wallSeconds = (Date.now() - started) / 1000;

    const tis = await world.taskInstances('e2e_thousand', 'thousand-1');
    expect(tis).toHaveLength(1_000);
    expect(tis.filter((ti) => ti.state !== 'success' || ti.try_number !== 1)).toEqual([]);
    // One attempt log per TI, each for try 1: no TI was started twice.
    const runLogs = join(world.home, 'logs', 'dag_id=e2e_thousand', 'run_id=thousand-1');
    const attempts = readdirSync(runLogs).flatMap((task) => readdirSync(join(runLogs, task, 'map_index=-1')));
    expect(attempts).toHaveLength(1_000);
    expect(new Set(attempts)).toEqual(new Set(['attempt=1.log']));
    expect(existsSync(runLogs)).toBe(true);
    for (const scheduler of schedulers) expect(scheduler.child.exitCode).toBeNull();
    console.log(`1,000 no-op TIs with 2 schedulers and 2 workers: ${wallSeconds.toFixed(1)} s`);
  });
});
