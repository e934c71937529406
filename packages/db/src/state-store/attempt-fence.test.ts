import { randomUUID } from 'node:crypto';
import { StaleAttemptError, type TaskScope, taskScope } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { holdTiTransition } from '../testing/held-ti-transition.ts';
import { seedDagRun, seedRunningAttempt } from '../testing/seed-task-instance.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { waitForLockWaiter } from '../testing/wait-for-lock-waiter.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';

const RUN = { dagId: 'fenced', runId: 'manual__1' };

describe.each(eachDialect())('attempt fencing in the metastore backend on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let backend: MetastoreStateBackend;
  let tiId: string;
  let scope: TaskScope;

  beforeEach(async () => {
    database = test.database;
    backend = new MetastoreStateBackend(database, { maxValueBytes: 65_536, historyDepth: 10 });
    const run = await seedDagRun(database.db, { dagId: RUN.dagId }, { runId: RUN.runId });
    tiId = await seedRunningAttempt(database.db, run, 'submit');
    scope = taskScope({ ...RUN, taskId: 'submit', mapIndex: -1 });
  });

  const moveTi = (state: string, tryNumber: number) =>
    database.db.updateTable('task_instance').set({ state, try_number: tryNumber }).where('id', '=', tiId).execute();
  const storedKeys = async () => (await backend.list(scope)).entries.map((entry) => `${entry.key}=${entry.value}`);

  it('lets the current running attempt write with every write operation', async () => {
    const fence = { tiId, tryNumber: 2 };
    await backend.set(scope, 'job', 'j-1', { fence });
    await backend.advance(scope, 'cursor', 5, { fence });
    await backend.delete(scope, 'job', { fence });
    expect(await storedKeys()).toEqual(['cursor=5']);
    expect(await backend.clear(scope, { fence })).toBe(1);
  });

  it('refuses every write from an older try, naming the TI’s state, and changes nothing', async () => {
    await backend.set(scope, 'job', 'j-1');
    const fence = { tiId, tryNumber: 1 };
    const refused = [
      () => backend.set(scope, 'job', 'j-0', { fence }),
      () => backend.advance(scope, 'cursor', 9, { fence }),
      () => backend.delete(scope, 'job', { fence }),
      () => backend.clear(scope, { fence }),
    ];
    for (const write of refused) {
      await expect(write()).rejects.toThrow(StaleAttemptError);
    }
    await expect(backend.set(scope, 'job', 'j-0', { fence })).rejects.toThrow(
      /attempt 1 of task instance .* is no longer the running attempt \(the task instance is running at try 2\)/,
    );
    expect(await storedKeys()).toEqual(['job=j-1']);
  });

  it('refuses writes once the TI has left running (a zombie failed by the scheduler) or is gone', async () => {
    await moveTi('up_for_retry', 2);
    await expect(backend.set(scope, 'job', 'late', { fence: { tiId, tryNumber: 2 } })).rejects.toThrow(
      /up_for_retry at try 2/,
    );
    await expect(backend.set(scope, 'job', 'late', { fence: { tiId: randomUUID(), tryNumber: 1 } })).rejects.toThrow(
      /no longer exists/,
    );
    expect(await storedKeys()).toEqual([]);
  });

  // SQLite serializes write transactions, so only PostgreSQL can race a write against a transition.
  if (dialect === 'postgres')
    it('a write racing the TI’s transition waits for it and is refused (the check is in the write transaction)', async () => {
      // The scheduler failing the zombie: it locks the TI, changes it, and commits a moment later.
      const transition = await holdTiTransition(database.db, tiId, 'up_for_retry');
      const write = backend.set(scope, 'job', 'from-the-zombie', { fence: { tiId, tryNumber: 2 } });
      const settled = write.then(
        () => 'written',
        (error: unknown) => (error instanceof StaleAttemptError ? 'stale' : String(error)),
      );
      // The write waits on the TI's lock: a check made before the write transaction would pass here.
      await waitForLockWaiter(database.db, transition.holderPid);
      await transition.commit();
      expect(await settled).toBe('stale');
      expect(await storedKeys()).toEqual([]);
    });
});
