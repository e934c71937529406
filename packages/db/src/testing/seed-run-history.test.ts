import type { SerializedDag } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { findRunTaskInstance, type TaskInstanceRow } from '../queries/task-instance-queries.ts';
import { listTaskInstanceTries } from '../queries/task-instance-try-queries.ts';
import { eachDialect } from './describe-each-dialect.ts';
import { seedRunHistory } from './seed-run-history.ts';
import { seedDag } from './seed-task-instance.ts';
import { serializedTask } from './serialized-dag-fixtures.ts';
import { useTestDatabase } from './use-test-database.ts';

const T0 = Date.UTC(2026, 0, 1);
const DAG: SerializedDag = {
  dagId: 'history',
  fileloc: 'history.ts',
  schedule: '@hourly',
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [
    serializedTask('a'),
    serializedTask('b', { upstreamTaskIds: ['a'] }),
    serializedTask('c', { upstreamTaskIds: ['b'] }),
    serializedTask('d', { upstreamTaskIds: ['c'] }),
  ],
};

describe.each(eachDialect())('seedRunHistory on %s', (dialect) => {
  const test = useTestDatabase(dialect);

  it('makes finished runs layer after layer, a failed one with its downstream upstream_failed, and retried TIs with their first try', async () => {
    const db = test.database.db;
    await seedDag(db, DAG, T0);
    const runs = await seedRunHistory(db, DAG, {
      runs: 3,
      firstLogicalDate: T0,
      intervalMs: 3_600_000,
      taskMs: 1_000,
      failEvery: 3,
      retryEvery: 2,
    });
    const rows = await db
      .selectFrom('dag_run')
      .select(['run_id', 'state', 'start_date', 'end_date'])
      .orderBy('id')
      .execute();
    expect(rows.map((row) => [row.run_id, row.state])).toEqual([
      ['scheduled__2026-01-01T00:00:00.000Z', 'success'],
      ['scheduled__2026-01-01T01:00:00.000Z', 'success'],
      ['scheduled__2026-01-01T02:00:00.000Z', 'failed'],
    ]);
    for (const row of rows) expect(Number(row.end_date)).toBeGreaterThan(Number(row.start_date));

    const ti = async (runIndex: number, taskId: string) =>
      (await findRunTaskInstance(db, {
        dagRunId: runs[runIndex]?.dagRunId ?? 0,
        taskId,
        mapIndex: -1,
      })) as TaskInstanceRow;
    const [a, b] = [await ti(0, 'a'), await ti(0, 'b')];
    expect(Number(b.start_date)).toBeGreaterThan(Number(a.end_date));
    expect((await listTaskInstanceTries(db, b)).map((row) => [row.try_number, row.state])).toEqual([
      [1, 'up_for_retry'],
      [2, 'success'],
    ]);
    expect([(await ti(2, 'c')).state, (await ti(2, 'd')).state]).toEqual(['failed', 'upstream_failed']);
  });
});
