import { assetScope, dagScope, type StateScope, taskScope } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { activateAsset } from '../repositories/asset-repository.ts';
import { registerDag } from '../repositories/dag-repository.ts';
import { createDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import { queryCounter } from '../testing/query-counter.ts';
import type { TestDatabase } from '../testing/test-database.ts';
import { PLAINTEXT_CIPHER } from './encryption/state-value-cipher.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';
import { readStateRow } from './state-rows.ts';

describe.each(eachDialect())('readStateRow on %s: a read is one statement', (dialect) => {
  let test: TestDatabase;
  let database: MetadataDatabase;
  let assetId: number;
  const run = { dagId: 'reads', runId: 'run-1' };

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    database = test.database;
    await registerDag(database.db, { dagId: run.dagId });
    await createDagRun(database.db, run);
    assetId = await activateAsset(database.db, { name: 'orders', uri: 's3://bucket/orders' });
    const backend = new MetastoreStateBackend(database, { maxValueBytes: 0, historyDepth: 2 }, PLAINTEXT_CIPHER);
    await backend.set(taskScope({ ...run, taskId: 'load', mapIndex: -1 }), 'cursor', 'positional');
    await backend.set(taskScope({ ...run, taskId: 'load', mapIndex: 3 }), 'cursor', 'map index 3');
    await backend.set(taskScope({ ...run, taskId: 'load', mapIndex: -1, itemKey: 'file-7' }), 'cursor', 'item');
    await backend.set(assetScope(assetId), 'watermark', 'asset');
    await backend.set(dagScope(run.dagId), 'setting', 'dag');
  });
  afterEach(() => test.destroy());

  async function read(scope: StateScope, key: string) {
    const counter = queryCounter();
    const row = await readStateRow(database.db.withPlugin(counter.plugin), dialect, scope, key);
    return { value: row && JSON.parse(row.value), statements: counter.count };
  }

  it('finds each scope’s own row, its run looked up in the same statement', async () => {
    expect(await read(taskScope({ ...run, taskId: 'load', mapIndex: -1 }), 'cursor')).toEqual({
      value: 'positional',
      statements: 1,
    });
    expect(await read(taskScope({ ...run, taskId: 'load', mapIndex: 3 }), 'cursor')).toEqual({
      value: 'map index 3',
      statements: 1,
    });
    expect(await read(taskScope({ ...run, taskId: 'load', mapIndex: 5, itemKey: 'file-7' }), 'cursor')).toEqual({
      value: 'item',
      statements: 1,
    });
    expect(await read(assetScope(assetId), 'watermark')).toEqual({ value: 'asset', statements: 1 });
    expect(await read(dagScope(run.dagId), 'setting')).toEqual({ value: 'dag', statements: 1 });
  });

  it('finds nothing, in one statement, for a run, asset or DAG that does not exist or a key never set', async () => {
    const absent = { value: undefined, statements: 1 };
    expect(await read(taskScope({ ...run, runId: 'run-2', taskId: 'load', mapIndex: -1 }), 'cursor')).toEqual(absent);
    expect(await read(taskScope({ ...run, dagId: 'other', taskId: 'load', mapIndex: -1 }), 'cursor')).toEqual(absent);
    expect(await read(taskScope({ ...run, taskId: 'load', mapIndex: -1 }), 'other')).toEqual(absent);
    expect(await read(taskScope({ ...run, taskId: 'load', mapIndex: -1, itemKey: 'file-8' }), 'cursor')).toEqual(
      absent,
    );
    expect(await read(assetScope(assetId + 100), 'watermark')).toEqual(absent);
    expect(await read(dagScope('other'), 'setting')).toEqual(absent);
  });

  it('refuses an item key that breaks the key rules before reading', async () => {
    await expect(read(taskScope({ ...run, taskId: 'load', mapIndex: -1, itemKey: '' }), 'cursor')).rejects.toThrow(
      /item key/i,
    );
  });
});
