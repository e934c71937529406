import type { SerializedDag } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { seedDagRun } from '../testing/seed-task-instance.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { claimNextAttempt } from './attempt-repository.ts';
import { createTaskInstances, expandMappedTask } from './task-instance-repository.ts';

const T0 = Date.UTC(2026, 0, 1);
const MAPPED = serializedTask('transform', { upstreamTaskIds: ['extract'], mapOver: 'extract' });
const DAG: SerializedDag = {
  dagId: 'fan_out',
  fileloc: 'fan-out-dag.ts',
  schedule: null,
  startDate: T0,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('extract'), MAPPED],
};

describe.each(eachDialect())('mapped task instances on %s', (dialect) => {
  const test = useTestDatabase(dialect);

  it('are claimed in map_index order when expanded in one millisecond', async () => {
    const { db } = test.database;
    const run = await seedDagRun(db, DAG, { runId: 'manual__1', logicalDate: T0 }, T0);
    await createTaskInstances(db, run, [MAPPED], T0);
    const placeholder = await db
      .selectFrom('task_instance')
      .select('id')
      .where('task_id', '=', 'transform')
      .executeTakeFirstOrThrow();

    await expandMappedTask(db, run, placeholder.id, MAPPED, 200, T0);

    const claimedMapIndexes: number[] = [];
    for (let claim = 0; claim < 200; claim++) {
      const claimed = await claimNextAttempt(test.database, { worker: 'w', now: T0 + 1 });
      claimedMapIndexes.push(claimed?.taskInstance.map_index ?? Number.NaN);
    }
    expect(claimedMapIndexes).toEqual(Array.from({ length: 200 }, (_, index) => index));
  });
});
