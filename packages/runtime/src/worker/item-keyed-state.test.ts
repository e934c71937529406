import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dagScope, offloadScopePrefix } from '@tidemark/core';
import {
  clearTaskInstances,
  expandMappedTask,
  getXcom,
  MetastoreStateBackend,
  queueTaskInstances,
  upsertSerializedDag,
} from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemOffloadStore } from '../offload/filesystem-offload-store.ts';
import { ITEM_STATE_DAG_FILE, itemStateDag } from './fixtures/item-state-dags.ts';
import {
  FIXTURE_DAGS_FOLDER,
  openWorkerTestWorld,
  type TestRun,
  type WorkerTestWorld,
} from './fixtures/worker-test-world.ts';
import { runAttempt } from './supervisor.ts';

const DAG_ID = 'worker_item_state';

/**
 * SPEC §17 end to end through the supervisor and a real task process: the upstream list comes back
 * in another order, the mapped task is cleared (keeping task state) and runs again, and each item
 * re-attaches to its own job — none inherits another's. The job records and a DAG-state value are
 * offloaded, so the item key and the DAG name the offload prefixes too.
 */
describe.each(eachDialect())('item-keyed task state and DAG state through a worker on %s', (dialect) => {
  let world: WorkerTestWorld;
  let folder: string;
  let store: FilesystemOffloadStore;

  beforeEach(async () => {
    world = await openWorkerTestWorld(dialect);
    await upsertSerializedDag(world.database.db, itemStateDag.serialize(ITEM_STATE_DAG_FILE));
    folder = mkdtempSync(join(tmpdir(), 'tidemark-item-offload-'));
    store = new FilesystemOffloadStore(folder);
  });
  afterEach(async () => {
    await world.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function runQueued(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const claimed = await world.api.claim('test-worker:1');
      if (!claimed) throw new Error('nothing was claimable');
      await runAttempt({
        claimed,
        api: world.api,
        dagsFolder: FIXTURE_DAGS_FOLDER,
        killGracePeriodMs: 500,
        offload: { store, thresholdBytes: 100 },
      });
    }
  }

  async function submits(run: TestRun) {
    const rows = await world.database.db
      .selectFrom('task_instance')
      .select(['id', 'map_index', 'state'])
      .where('dag_run_id', '=', run.dagRunId)
      .where('task_id', '=', 'submit')
      .orderBy('map_index')
      .execute();
    return Promise.all(
      rows.map(async (row) => ({
        id: row.id,
        state: row.state,
        result: await getXcom(world.database.db, {
          dagRunId: run.dagRunId,
          taskId: 'submit',
          mapIndex: row.map_index,
          key: 'return_value',
        }),
      })),
    );
  }

  it('re-expanded in another order, each item re-attaches to its own job', async () => {
    const run = await world.trigger(DAG_ID);
    await world.queue(run, 'list_orders');
    await runQueued(1);
    const placeholder = await world.queue(run, 'submit');
    const task = itemStateDag.serialize(ITEM_STATE_DAG_FILE).tasks.find((candidate) => candidate.taskId === 'submit');
    if (!task) throw new Error('no task submit');
    await expandMappedTask(world.database.db, run, placeholder, task, 2, Date.now());
    await runQueued(2);
    const first = await submits(run);
    expect(first.map((ti) => ti.result)).toEqual([
      { order: 'a', job: 'job-of-a', reattached: false, submitted: 1 },
      { order: 'b', job: 'job-of-b', reattached: false, submitted: 2 },
    ]);

    // The list changes order; upstream and mapped task are cleared (task state kept) and run again.
    const backend = new MetastoreStateBackend(world.database, { maxValueBytes: 0, historyDepth: 10 });
    await backend.set(dagScope(DAG_ID), 'order', ['b', 'a']);
    await clearTaskInstances(world.database, { dagId: DAG_ID, runId: run.runId, now: Date.now() });
    await world.queue(run, 'list_orders');
    await runQueued(1);
    await queueTaskInstances(
      world.database.db,
      first.map((ti) => ti.id),
      Date.now(),
    );
    await runQueued(2);
    const again = await submits(run);
    expect(again.map((ti) => [ti.state, ti.result])).toEqual([
      ['success', { order: 'b', job: 'job-of-b', reattached: true }],
      ['success', { order: 'a', job: 'job-of-a', reattached: true }],
    ]);
    expect((await backend.get(dagScope(DAG_ID), 'submitted'))?.value).toBe(2);

    // The offloaded payloads live under the item's prefix and the DAG's, not under a map index.
    const refsUnder = async (prefix: string) => {
      const refs: string[] = [];
      for await (const object of store.list(prefix)) refs.push(object.ref);
      return refs;
    };
    const itemPrefix = (itemKey: string) =>
      offloadScopePrefix({ kind: 'task', dagId: DAG_ID, runId: run.runId, taskId: 'submit', mapIndex: -1, itemKey });
    expect(await refsUnder(itemPrefix('a'))).toHaveLength(1);
    expect(await refsUnder(itemPrefix('b'))).toHaveLength(1);
    expect(await refsUnder(offloadScopePrefix({ kind: 'dag', dagId: DAG_ID }))).toHaveLength(2);
    expect(await refsUnder('task/')).toHaveLength(2);
  });
});
