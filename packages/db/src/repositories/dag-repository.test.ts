import type { SerializedDag } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import {
  deactivateDags,
  listActiveDagLocations,
  listActiveSerializedDags,
  registerDag,
  upsertSerializedDag,
} from './dag-repository.ts';
import { readSerializedDag } from './parsed-dag-cache.ts';

const NOW = Date.UTC(2026, 0, 1);

function serialized(dagId: string, changes: Partial<SerializedDag> = {}): SerializedDag {
  return {
    dagId,
    fileloc: `${dagId}.ts`,
    schedule: '@daily',
    startDate: null,
    catchup: false,
    description: `the ${dagId} DAG`,
    tags: ['team'],
    tasks: [
      {
        taskId: 'extract',
        upstreamTaskIds: [],
        mapOver: null,
        retries: 2,
        retryDelayMs: 1_000,
        retryExponentialBackoff: true,
        maxRetryDelayMs: null,
        executionTimeoutMs: null,
        inlets: [],
        outlets: [{ name: 'orders', uri: 's3://lake/orders' }],
      },
    ],
    ...changes,
  };
}

function dagRow(db: Db, dagId: string) {
  return db.selectFrom('dag').selectAll().where('dag_id', '=', dagId).executeTakeFirstOrThrow();
}

describe.each(eachDialect())('dag repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  beforeEach(async () => {
    db = test.database.db;
  });

  it('stores a new DAG active and unpaused, with its structure', async () => {
    await upsertSerializedDag(db, serialized('etl'), NOW);

    expect(await readSerializedDag(db, 'etl')).toEqual(serialized('etl'));
    expect(await dagRow(db, 'etl')).toMatchObject({
      fileloc: 'etl.ts',
      schedule: '@daily',
      description: 'the etl DAG',
      is_active: 1,
      is_paused: 0,
      last_parsed_at: NOW,
      next_run_at: null,
      created_at: NOW,
    });
  });

  it('refreshes a DAG: reactivates it, keeps its pause flag and creation time', async () => {
    await upsertSerializedDag(db, serialized('etl'), NOW);
    await db.updateTable('dag').set({ is_paused: 1, is_active: 0 }).execute();

    await upsertSerializedDag(db, serialized('etl', { fileloc: 'moved/etl.ts', description: null }), NOW + 1);

    expect(await dagRow(db, 'etl')).toMatchObject({
      fileloc: 'moved/etl.ts',
      description: null,
      is_active: 1,
      is_paused: 1,
      last_parsed_at: NOW + 1,
      created_at: NOW,
      updated_at: NOW + 1,
    });
  });

  it('forgets the next run time only when the schedule changed', async () => {
    await upsertSerializedDag(db, serialized('etl'), NOW);
    await db
      .updateTable('dag')
      .set({ next_run_at: NOW + 86_400_000 })
      .execute();

    await upsertSerializedDag(db, serialized('etl'), NOW + 1);
    expect((await dagRow(db, 'etl')).next_run_at).toBe(NOW + 86_400_000);

    await upsertSerializedDag(db, serialized('etl', { schedule: '@hourly' }), NOW + 2);
    expect((await dagRow(db, 'etl')).next_run_at).toBeNull();
  });

  it('gives no structure for an unknown DAG or one registered without it', async () => {
    await registerDag(db, { dagId: 'bare' }, NOW);

    expect(await readSerializedDag(db, 'bare')).toBeUndefined();
    expect(await readSerializedDag(db, 'nope')).toBeUndefined();
  });

  it('lists active DAGs and deactivates the ones named, keeping their structure', async () => {
    for (const dagId of ['c', 'a', 'b']) await upsertSerializedDag(db, serialized(dagId), NOW);
    await registerDag(db, { dagId: 'bare', fileloc: 'bare.ts' }, NOW);

    await deactivateDags(db, ['b'], NOW + 5);
    await deactivateDags(db, [], NOW + 6);

    expect(await listActiveDagLocations(db)).toEqual([
      { dagId: 'a', fileloc: 'a.ts' },
      { dagId: 'bare', fileloc: 'bare.ts' },
      { dagId: 'c', fileloc: 'c.ts' },
    ]);
    expect((await listActiveSerializedDags(db)).map((dag) => dag.dagId)).toEqual(['a', 'c']);
    expect(await dagRow(db, 'b')).toMatchObject({ is_active: 0, updated_at: NOW + 5 });
    expect(await readSerializedDag(db, 'b')).toEqual(serialized('b'));
  });
});
