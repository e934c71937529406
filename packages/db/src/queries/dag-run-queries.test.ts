import type { SerializedDag, SerializedTask } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { upsertSerializedDag } from '../repositories/dag-repository.ts';
import { createDagRun, triggerDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { markDagRunFinished, markDagRunRunning } from '../transitions/dag-run-transitions.ts';
import { countTaskInstanceStates, findDagRun, findLatestDagRuns, listDagRuns } from './dag-run-queries.ts';

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function task(taskId: string, upstreamTaskIds: string[] = []): SerializedTask {
  return serializedTask(taskId, { upstreamTaskIds });
}

function dag(dagId: string): SerializedDag {
  return {
    dagId,
    fileloc: `${dagId}.ts`,
    schedule: '@daily',
    startDate: null,
    catchup: false,
    description: null,
    tags: [],
    tasks: [task('a'), task('b', ['a']), task('c', ['b'])],
  };
}

const runIds = (page: { items: { runId: string }[] }) => page.items.map((run) => run.runId);

describe.each(eachDialect())('DAG run queries on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let ids: Record<string, number>;

  /** etl: e1 (success, day 2), e2 (running, day 0), e3 (queued, day 1, no start); ml: m1 (scheduled, failed). */
  beforeEach(async () => {
    database = test.database;
    const { db } = database;
    await upsertSerializedDag(db, dag('etl'), NOW);
    await upsertSerializedDag(db, dag('ml'), NOW);
    ids = {
      e1: await createDagRun(db, { dagId: 'etl', runId: 'e1', logicalDate: NOW + 2 * DAY, conf: { x: 1 } }, NOW),
      e2: await createDagRun(db, { dagId: 'etl', runId: 'e2', logicalDate: NOW }, NOW + 1),
      e3: await createDagRun(db, { dagId: 'etl', runId: 'e3', logicalDate: NOW + DAY }, NOW + 2),
      m1: await createDagRun(db, { dagId: 'ml', runId: 'm1', runType: 'scheduled', logicalDate: NOW + DAY }, NOW + 3),
    };
    await markDagRunRunning(db, ids.e1 as number, NOW + 10);
    await markDagRunFinished(db, ids.e1 as number, 'success', NOW + 20);
    await markDagRunRunning(db, ids.e2 as number, NOW + 30);
    await markDagRunRunning(db, ids.m1 as number, NOW + 40);
    await markDagRunFinished(db, ids.m1 as number, 'failed', NOW + 50);
  });

  it('reads one run with its conf and times', async () => {
    expect(await findDagRun(database.db, 'etl', 'e1')).toEqual({
      id: ids.e1,
      dagId: 'etl',
      runId: 'e1',
      state: 'success',
      runType: 'manual',
      logicalDate: NOW + 2 * DAY,
      dataIntervalStart: null,
      dataIntervalEnd: null,
      conf: { x: 1 },
      queuedAt: NOW,
      startDate: NOW + 10,
      endDate: NOW + 20,
    });
    expect(await findDagRun(database.db, 'ml', 'e1')).toBeUndefined();
  });

  it('lists newest first by default, of one DAG or all, counting every match', async () => {
    const all = await listDagRuns(database.db, { limit: 3, offset: 0 });
    expect(runIds(all)).toEqual(['m1', 'e3', 'e2']);
    expect(all.totalEntries).toBe(4);
    const etl = await listDagRuns(database.db, { dagId: 'etl', limit: 10, offset: 1 });
    expect(runIds(etl)).toEqual(['e2', 'e1']);
    expect(etl.totalEntries).toBe(3);
  });

  it('filters by states, run types and date ranges', async () => {
    const list = (filter: Parameters<typeof listDagRuns>[1]) => listDagRuns(database.db, filter).then(runIds);
    const page = { limit: 10, offset: 0 };
    expect(await list({ ...page, states: ['success', 'queued'] })).toEqual(['e3', 'e1']);
    expect(await list({ ...page, runTypes: ['scheduled'] })).toEqual(['m1']);
    expect(await list({ ...page, logicalDateGte: NOW + DAY, logicalDateLte: NOW + DAY })).toEqual(['m1', 'e3']);
    expect(await list({ ...page, startDateGte: NOW + 30 })).toEqual(['m1', 'e2']);
    expect(await list({ ...page, startDateLte: NOW + 30 })).toEqual(['e2', 'e1']);
  });

  it('orders by a column in either direction, runs without a value last', async () => {
    const order = (column: 'start_date' | 'logical_date', descending: boolean) =>
      listDagRuns(database.db, { dagId: 'etl', limit: 10, offset: 0, order: { column, descending } }).then(runIds);
    expect(await order('logical_date', false)).toEqual(['e2', 'e3', 'e1']);
    expect(await order('start_date', false)).toEqual(['e1', 'e2', 'e3']);
    expect(await order('start_date', true)).toEqual(['e2', 'e1', 'e3']);
  });

  it('finds the latest run of each DAG', async () => {
    const latest = await findLatestDagRuns(database.db, ['etl', 'ml', 'none']);
    expect([...latest.entries()].map(([dagId, run]) => [dagId, run.runId]).sort()).toEqual([
      ['etl', 'e3'],
      ['ml', 'm1'],
    ]);
    expect(await findLatestDagRuns(database.db, [])).toEqual(new Map());
  });

  it('counts the task instances of each run by state', async () => {
    const run = await triggerDagRun(database, { dagId: 'etl', runId: 'counted' }, NOW);
    const other = await triggerDagRun(database, { dagId: 'ml', runId: 'other' }, NOW);
    await database.db
      .updateTable('task_instance')
      .set({ state: 'success' })
      .where('dag_run_id', '=', run.dagRunId)
      .where('task_id', 'in', ['a', 'b'])
      .execute();

    const counts = await countTaskInstanceStates(database.db, [run.dagRunId, other.dagRunId, ids.e1 as number]);

    expect(counts.get(run.dagRunId)).toEqual({ success: 2, none: 1 });
    expect(counts.get(other.dagRunId)).toEqual({ none: 3 });
    expect(counts.has(ids.e1 as number)).toBe(false);
  });
});
