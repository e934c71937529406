import type { SerializedDag, SerializedWatcher } from '@tidemark/core';
import { inWriteTransaction, listImportErrors, type MetadataDatabase, setDagPaused } from '@tidemark/db';
import { eachDialect, useTestDatabase } from '@tidemark/db/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ParsedDagFile } from './parsed-dag-file.ts';
import { syncDagsToDatabase } from './sync-dags-to-database.ts';
import { serializedFakeDag } from './testing/fake-dag-module.ts';

const NOW = Date.UTC(2026, 0, 1);
const landing = { name: 'landing', uri: 'file:///landing' };
const watcher = (name: string, everyMs = 5_000): SerializedWatcher => ({ name, asset: landing, everyMs });

function file(fileloc: string, dagId: string, watchers: SerializedWatcher[]): ParsedDagFile {
  const dag = { ...serializedFakeDag({ dagId }), fileloc, watchers } as SerializedDag;
  return { fileloc, dags: [{ dag, line: 1 }], errors: [], importFailed: false, brokenDagIds: [] };
}

describe.each(eachDialect())('watchers synced by the DAG processor on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  beforeEach(() => {
    database = test.database;
  });

  const sync = (files: ParsedDagFile[], now = NOW) =>
    inWriteTransaction(database, (trx) =>
      syncDagsToDatabase(trx, files, new Set(files.map((parsed) => parsed.fileloc)), now),
    );
  const watchers = () =>
    database.db
      .selectFrom('asset_watcher')
      .innerJoin('asset', 'asset.id', 'asset_watcher.asset_id')
      .select([
        'asset.name as asset',
        'asset_watcher.name',
        'dag_id',
        'fileloc',
        'every_ms',
        'active',
        'last_poll_at',
        'event_count',
        'failure_count',
      ])
      .orderBy('asset_watcher.name')
      .execute();

  it('stores declared watchers on their (activated) asset and keeps their status across re-parses', async () => {
    await sync([file('etl.ts', 'etl', [watcher('new_files'), watcher('deleted_files', 60_000)])]);

    expect(await watchers()).toEqual([
      expect.objectContaining({ asset: 'landing', name: 'deleted_files', every_ms: 60_000, active: 1 }),
      expect.objectContaining({ asset: 'landing', name: 'new_files', dag_id: 'etl', fileloc: 'etl.ts', active: 1 }),
    ]);
    await database.db
      .updateTable('asset_watcher')
      .set({ last_poll_at: NOW + 5, event_count: 3, failure_count: 2 })
      .where('name', '=', 'new_files')
      .execute();

    await sync([file('etl.ts', 'etl', [watcher('new_files', 1_000)])], NOW + 10);

    expect(await watchers()).toEqual([
      expect.objectContaining({ name: 'deleted_files', active: 0, every_ms: 60_000 }),
      expect.objectContaining({ name: 'new_files', active: 1, every_ms: 1_000, last_poll_at: NOW + 5, event_count: 3 }),
    ]);

    await sync([], NOW + 20);
    expect((await watchers()).map((row) => [row.name, row.active, row.failure_count])).toEqual([
      ['deleted_files', 0, 0],
      ['new_files', 0, 2],
    ]);
    await sync([file('etl.ts', 'etl', [watcher('new_files', 1_000)])], NOW + 30);
    expect((await watchers()).map((row) => [row.name, row.active])).toEqual([
      ['deleted_files', 0],
      ['new_files', 1],
    ]);
  });

  it('gives a watcher two DAGs declare to the first by fileloc; another interval is an import error of the later file', async () => {
    const result = await sync([
      file('b.ts', 'b', [watcher('new_files', 10_000)]),
      file('a.ts', 'a', [watcher('new_files', 5_000)]),
      file('c.ts', 'c', [watcher('new_files', 5_000)]),
    ]);

    expect(await watchers()).toEqual([
      expect.objectContaining({ name: 'new_files', dag_id: 'a', fileloc: 'a.ts', every_ms: 5_000 }),
    ]);
    expect(result.errors.map((error) => error.fileloc)).toEqual(['b.ts']);
    expect((await listImportErrors(database.db)).map((error) => error.message)).toEqual([
      expect.stringContaining('DAG "b" declares watcher "new_files" on asset "landing" every 10000 ms'),
    ]);

    // The owner drops it: the next by fileloc takes it over.
    await sync([file('a.ts', 'a', []), file('b.ts', 'b', [watcher('new_files', 10_000)])], NOW + 1);
    expect(await watchers()).toEqual([
      expect.objectContaining({ dag_id: 'b', fileloc: 'b.ts', every_ms: 10_000, active: 1 }),
    ]);
    expect(await listImportErrors(database.db)).toEqual([]);
  });

  it('keeps the watcher of a paused DAG active (pausing is read when leasing)', async () => {
    await sync([file('etl.ts', 'etl', [watcher('new_files')])]);
    await setDagPaused(database.db, 'etl', true, NOW + 1);
    await sync([file('etl.ts', 'etl', [watcher('new_files')])], NOW + 2);

    expect((await watchers()).map((row) => row.active)).toEqual([1]);
  });
});
