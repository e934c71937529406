import type { DagRunState } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { upsertSerializedDag } from '../repositories/dag-repository.ts';
import { createDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { markDagRunFinished, markDagRunRunning, requeueFinishedRuns } from './dag-run-transitions.ts';

const T0 = Date.UTC(2026, 0, 1);
const LATER = T0 + 60_000;

describe.each(eachDialect())('guarded DAG-run transitions on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let dagRunId: number;

  beforeEach(async () => {
    database = test.database;
    await upsertSerializedDag(
      database.db,
      {
        dagId: 'one',
        fileloc: 'one.ts',
        schedule: null,
        startDate: null,
        catchup: false,
        description: null,
        tags: [],
        tasks: [],
      },
      T0,
    );
    dagRunId = await createDagRun(database.db, { dagId: 'one', runId: 'r1' }, T0);
  });

  /** Seeds the run in `state` (a test sets up any state it needs). */
  async function seed(state: DagRunState) {
    await database.db.updateTable('dag_run').set({ state, updated_at: T0 }).where('id', '=', dagRunId).execute();
  }
  const run = () => database.db.selectFrom('dag_run').selectAll().where('id', '=', dagRunId).executeTakeFirstOrThrow();

  it.each(['queued', 'success'] as const)('the scheduler does not finish a %s run', async (state) => {
    await seed(state);
    const before = await run();
    await markDagRunFinished(database.db, dagRunId, 'failed', LATER);
    expect(await run()).toEqual(before);
  });

  it('the scheduler finishes a running run', async () => {
    await seed('running');
    await markDagRunFinished(database.db, dagRunId, 'success', LATER);
    expect(await run()).toMatchObject({ state: 'success', end_date: LATER });
  });

  it('the scheduler starts only a queued run', async () => {
    await seed('failed');
    await markDagRunRunning(database.db, dagRunId, LATER);
    expect(await run()).toMatchObject({ state: 'failed', updated_at: T0 });
  });

  it('an operator requeues only a finished run', async () => {
    await seed('running');
    expect(await requeueFinishedRuns(database.db, [dagRunId], LATER)).toEqual([]);
    expect(await run()).toMatchObject({ state: 'running', updated_at: T0 });
    await seed('success');
    expect(await requeueFinishedRuns(database.db, [dagRunId], LATER)).toEqual([dagRunId]);
    expect(await run()).toMatchObject({ state: 'queued', queued_at: LATER });
  });
});
