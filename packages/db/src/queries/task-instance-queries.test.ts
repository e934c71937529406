import type { SerializedDag } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { upsertSerializedDag } from '../repositories/dag-repository.ts';
import { triggerDagRun } from '../repositories/dag-run-repository.ts';
import { expandMappedTask } from '../repositories/task-instance-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import {
  countMappedTaskInstances,
  findDagRunKey,
  findRunTaskInstance,
  listTaskInstancePage,
} from './task-instance-queries.ts';

const T0 = Date.UTC(2026, 0, 1);

const task = (taskId: string, upstreamTaskIds: string[] = [], mapOver: string | null = null) =>
  serializedTask(taskId, { upstreamTaskIds, mapOver });

const FANOUT: SerializedDag = {
  dagId: 'fanout',
  fileloc: 'fanout.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [task('split'), task('work', ['split'], 'split'), task('join', ['work'])],
};

describe.each(eachDialect())('task-instance queries on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  let dagRunId: number;

  beforeEach(async () => {
    db = test.database.db;
    await upsertSerializedDag(db, FANOUT, T0);
    const run = await triggerDagRun(test.database, { dagId: 'fanout', runId: 'r1' }, T0);
    dagRunId = run.dagRunId;
    await triggerDagRun(test.database, { dagId: 'fanout', runId: 'r2' }, T0);
    const placeholder = await db
      .selectFrom('task_instance')
      .select('id')
      .where('dag_run_id', '=', dagRunId)
      .where('task_id', '=', 'work')
      .executeTakeFirstOrThrow();
    await expandMappedTask(db, run, placeholder.id, FANOUT.tasks[1] as SerializedDag['tasks'][number], 3, T0);
    await db.updateTable('task_instance').set({ state: 'success' }).where('task_id', '=', 'split').execute();
    await db
      .updateTable('task_instance')
      .set({ state: 'failed' })
      .where('dag_run_id', '=', dagRunId)
      .where('task_id', '=', 'work')
      .where('map_index', '=', 1)
      .execute();
  });

  const page = { limit: 100, offset: 0 };
  const names = (rows: { task_id: string; map_index: number }[]) =>
    rows.map((row) => `${row.task_id}[${row.map_index}]`);

  it('finds a run by DAG id and run id', async () => {
    expect(await findDagRunKey(db, 'fanout', 'r1')).toEqual({
      id: dagRunId,
      dagId: 'fanout',
      runId: 'r1',
      state: 'queued',
    });
    expect(await findDagRunKey(db, 'fanout', 'r3')).toBeUndefined();
    expect(await findDagRunKey(db, 'other', 'r1')).toBeUndefined();
  });

  it('lists one run’s TIs by task id then map index, filtered and paged, with the total', async () => {
    const all = await listTaskInstancePage(db, { dagRunId }, page);
    expect(all.total).toBe(5);
    expect(names(all.rows)).toEqual(['join[-1]', 'split[-1]', 'work[0]', 'work[1]', 'work[2]']);

    const queued = await listTaskInstancePage(db, { dagRunId, states: ['queued'] }, page);
    expect(names(queued.rows)).toEqual(['work[0]', 'work[2]']);
    const noneOrFailed = await listTaskInstancePage(db, { dagRunId, states: [null, 'failed'] }, page);
    expect(names(noneOrFailed.rows)).toEqual(['join[-1]', 'work[1]']);
    const work = await listTaskInstancePage(db, { dagRunId, taskId: 'work', mapIndex: 2 }, page);
    expect(names(work.rows)).toEqual(['work[2]']);

    const second = await listTaskInstancePage(db, { dagRunId }, { limit: 2, offset: 2 });
    expect([second.total, names(second.rows)]).toEqual([5, ['work[0]', 'work[1]']]);
  });

  it('finds one TI and counts a task’s map indices', async () => {
    expect((await findRunTaskInstance(db, { dagRunId, taskId: 'work', mapIndex: 1 }))?.state).toBe('failed');
    expect(await findRunTaskInstance(db, { dagRunId, taskId: 'work', mapIndex: -1 })).toBeUndefined();
    expect(await countMappedTaskInstances(db, { dagRunId, taskId: 'work' })).toBe(3);
    expect(await countMappedTaskInstances(db, { dagRunId, taskId: 'split' })).toBe(0);
  });
});
