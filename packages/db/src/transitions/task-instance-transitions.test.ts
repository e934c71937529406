import type { SerializedDag, TaskInstanceState } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { upsertSerializedDag } from '../repositories/dag-repository.ts';
import { triggerDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import {
  clearTaskInstanceStates,
  finishAttempt,
  markRemoved,
  markSkipped,
  markTaskInstanceState,
  markUpstreamFailed,
  queueTaskInstances,
  scheduleRetry,
  startAttempts,
} from './task-instance-transitions.ts';

const T0 = Date.UTC(2026, 0, 1);
const LATER = T0 + 60_000;

const ONE_TASK: SerializedDag = {
  dagId: 'one',
  fileloc: 'one.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('only')],
};

describe.each(eachDialect())('guarded task-instance transitions on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let tiId: string;

  beforeEach(async () => {
    database = test.database;
    await upsertSerializedDag(database.db, ONE_TASK, T0);
    await triggerDagRun(database, { dagId: 'one', runId: 'r1' }, T0);
    const row = await database.db.selectFrom('task_instance').select('id').executeTakeFirstOrThrow();
    tiId = row.id;
  });

  /** Seeds the TI in `state` (a test sets up any state it needs; production code moves it through the guards). */
  async function seed(state: TaskInstanceState | null) {
    await database.db
      .updateTable('task_instance')
      .set({ state, try_number: 1, queued_at: T0, end_date: null, updated_at: T0 })
      .where('id', '=', tiId)
      .execute();
  }
  const ti = () => database.db.selectFrom('task_instance').selectAll().where('id', '=', tiId).executeTakeFirstOrThrow();

  it.each(['running', 'success', 'failed', 'queued'] as const)(
    'the scheduler does not queue a %s TI: its row is left as it was',
    async (state) => {
      await seed(state);
      const before = await ti();
      await queueTaskInstances(database.db, [tiId], LATER);
      expect(await ti()).toEqual(before);
    },
  );

  it.each([null, 'up_for_retry'] as const)('the scheduler queues a TI in state %s', async (state) => {
    await seed(state);
    await queueTaskInstances(database.db, [tiId], LATER);
    expect(await ti()).toMatchObject({ state: 'queued', queued_at: LATER, updated_at: LATER });
  });

  it('the scheduler finishes without running only a TI in state none', async () => {
    await seed('running');
    await markUpstreamFailed(database.db, [tiId], LATER);
    await markSkipped(database.db, [tiId], LATER);
    await markRemoved(database.db, [tiId], LATER);
    expect(await ti()).toMatchObject({ state: 'running', updated_at: T0 });
  });

  it('a worker cannot start an attempt on a TI that is not queued', async () => {
    await seed('success');
    await database.db.transaction().execute(async (trx) => {
      expect(await startAttempts(trx, { tiIds: [tiId], worker: 'w', now: LATER })).toEqual([]);
    });
    expect(await ti()).toMatchObject({ state: 'success', try_number: 1 });
  });

  it('a batch start moves only the queued TIs of the set, and returns just those', async () => {
    await seed('queued');
    await database.db.transaction().execute(async (trx) => {
      const started = await startAttempts(trx, { tiIds: [tiId, 'no-such-ti'], worker: 'w', now: LATER });
      expect(started.map((row) => [row.id, row.state, row.try_number])).toEqual([[tiId, 'running', 2]]);
      expect(await startAttempts(trx, { tiIds: [tiId], worker: 'w2', now: LATER })).toEqual([]);
    });
    expect(await ti()).toMatchObject({ state: 'running', try_number: 2, worker: 'w' });
  });

  it('an attempt finishes or retries only a running TI', async () => {
    await seed('failed');
    await database.db.transaction().execute(async (trx) => {
      await finishAttempt(trx, tiId, 'success', LATER);
      await scheduleRetry(trx, tiId, LATER + 1, LATER);
    });
    expect(await ti()).toMatchObject({ state: 'failed', next_retry_at: null, updated_at: T0 });
  });

  it('an operator clears a finished TI, and marks it, but a clear of a TI in none changes nothing', async () => {
    await seed(null);
    await database.db.transaction().execute(async (trx) => {
      await clearTaskInstanceStates(trx, [tiId], 5, LATER);
    });
    expect(await ti()).toMatchObject({ state: null, max_tries: 1, updated_at: T0 });

    await seed('removed');
    await database.db.transaction().execute(async (trx) => {
      await markTaskInstanceState(trx, tiId, 'success', LATER);
    });
    expect(await ti()).toMatchObject({ state: 'success', end_date: LATER });
  });
});
