import { listActiveAssets, listImportErrors, type MetadataDatabase, readSerializedDag } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DagProcessor, type DagProcessorLogger } from './dag-processor.ts';
import { fakeDagLine, fakeDagModule, serializedFakeDag } from './testing/fake-dag-module.ts';
import { TempDagsFolder } from './testing/temp-dags-folder.ts';

const NOW = Date.UTC(2026, 0, 1);
const orders = { name: 'orders', uri: 's3://lake/orders' };
const report = { name: 'report', uri: 'report' };

describe.each(eachDialect())('DagProcessor on %s', (dialect) => {
  let test: TestDatabase;
  let database: MetadataDatabase;
  let folder: TempDagsFolder;
  let processor: DagProcessor;
  const runOnce = (options: { force?: boolean; now?: number } = {}) =>
    processor.runOnce(database, { dagsFolder: folder.path, now: NOW, ...options });
  const dagRow = (dagId: string) =>
    database.db.selectFrom('dag').selectAll().where('dag_id', '=', dagId).executeTakeFirstOrThrow();
  const importErrors = async () =>
    (await listImportErrors(database.db)).map(({ fileloc, line, message }) => ({ fileloc, line, message }));
  const activeAssets = async () => (await listActiveAssets(database.db)).map(({ name, uri }) => ({ name, uri }));

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    database = test.database;
    folder = new TempDagsFolder();
    processor = new DagProcessor();
  });
  afterEach(async () => {
    folder.destroy();
    await test.destroy();
  });

  it('registers a DAG file with its serialized structure, active and unpaused', async () => {
    const etl = { dagId: 'etl', schedule: '@daily', description: 'nightly load', tasks: [{ taskId: 'a' }] };
    folder.write('team/etl.ts', fakeDagModule(etl));

    const summary = await runOnce();

    expect(summary).toMatchObject({ parsedFiles: ['team/etl.ts'], dags: ['etl'], errors: [], deactivatedDags: [] });
    expect(await readSerializedDag(database.db, 'etl')).toEqual({ ...serializedFakeDag(etl), fileloc: 'team/etl.ts' });
    expect(await dagRow('etl')).toMatchObject({
      fileloc: 'team/etl.ts',
      schedule: '@daily',
      description: 'nightly load',
      is_active: 1,
      is_paused: 0,
      last_parsed_at: NOW,
    });
  });

  it('records import errors with file, line and reason while the other files load', async () => {
    folder.write('a-good.ts', fakeDagModule({ dagId: 'good' }));
    folder.write('b-syntax.ts', 'const a = 1;\nconst b: number = ;\n');
    folder.write('c-throws.ts', 'const x = 1;\nthrow new Error(\'task id "a" is defined twice\');\n');
    folder.write('d-cycle.ts', fakeDagModule({ dagId: 'looping', cycle: true }));
    const warnings: string[] = [];
    const logger: DagProcessorLogger = {
      info: () => {},
      warn: (fields, message) => warnings.push(`${fields.fileloc}: ${message}`),
    };
    processor = new DagProcessor({ log: logger });

    const summary = await runOnce();

    expect(summary.dags).toEqual(['good']);
    const expected = [
      { fileloc: 'b-syntax.ts', line: 2, message: expect.stringContaining('Unexpected ";"') },
      { fileloc: 'c-throws.ts', line: 2, message: 'Error: task id "a" is defined twice' },
      { fileloc: 'd-cycle.ts', line: fakeDagLine(0), message: expect.stringContaining('has a cycle') },
    ];
    expect(await importErrors()).toEqual(expected);
    expect(summary.errors).toEqual(expected);
    expect(warnings).toEqual([
      expect.stringMatching(/^b-syntax\.ts: DAG import error: /),
      expect.stringMatching(/^c-throws\.ts: DAG import error: /),
      expect.stringMatching(/^d-cycle\.ts: DAG import error: /),
    ]);
    expect(await readSerializedDag(database.db, 'looping')).toBeUndefined();
  });

  it('parses a changed file again, leaves an unchanged one, and clears the errors of a fixed file', async () => {
    folder.write('a.ts', fakeDagModule({ dagId: 'a', schedule: '@daily' }));
    folder.write('b.ts', fakeDagModule({ dagId: 'b' }));
    folder.write('c.ts', 'const broken: number = ;\n');
    await runOnce();

    expect((await runOnce({ now: NOW + 1 })).parsedFiles).toEqual([]);

    folder.write('a.ts', fakeDagModule({ dagId: 'a', schedule: '@hourly' }));
    folder.write('c.ts', fakeDagModule({ dagId: 'c' }));
    const summary = await runOnce({ now: NOW + 2 });

    expect(summary).toMatchObject({ parsedFiles: ['a.ts', 'c.ts'], dags: ['a', 'c'], errors: [] });
    expect(await dagRow('a')).toMatchObject({ schedule: '@hourly', last_parsed_at: NOW + 2 });
    expect(await dagRow('b')).toMatchObject({ last_parsed_at: NOW });
    expect(await importErrors()).toEqual([]);
    expect((await runOnce({ force: true, now: NOW + 3 })).parsedFiles).toEqual(['a.ts', 'b.ts', 'c.ts']);
  });

  it('deactivates the DAGs of a deleted file, and a DAG its file no longer defines', async () => {
    folder.write('a.ts', fakeDagModule({ dagId: 'a' }, { dagId: 'a2', exportAs: 'second' }));
    folder.write('gone.ts', fakeDagModule({ dagId: 'gone' }));
    folder.write('broken.ts', 'const x: number = ;\n');
    await runOnce();

    folder.remove('gone.ts');
    folder.remove('broken.ts');
    folder.write('a.ts', fakeDagModule({ dagId: 'a' }));
    const summary = await runOnce({ now: NOW + 1 });

    expect(summary.deactivatedDags).toEqual(['a2', 'gone']);
    expect(await dagRow('gone')).toMatchObject({ is_active: 0 });
    expect(await dagRow('a2')).toMatchObject({ is_active: 0 });
    expect(await dagRow('a')).toMatchObject({ is_active: 1 });
    expect(await importErrors()).toEqual([]);
  });

  it('keeps the last good version of DAGs while their file fails to load', async () => {
    folder.write('etl.ts', fakeDagModule({ dagId: 'etl', tasks: [{ taskId: 'load', outlets: [orders] }] }));
    await runOnce();

    folder.write('etl.ts', 'const half: number = ;\n');
    const summary = await runOnce({ now: NOW + 1 });

    expect(summary).toMatchObject({ dags: [], deactivatedDags: [], deactivatedAssets: [] });
    expect(await dagRow('etl')).toMatchObject({ is_active: 1, last_parsed_at: NOW });
    expect(await importErrors()).toEqual([{ fileloc: 'etl.ts', line: 1, message: expect.any(String) }]);
    expect(await activeAssets()).toEqual([orders]);

    // A fresh processor (a restarted scheduler) learns from the database which DAGs the file had.
    processor = new DagProcessor();
    expect(await runOnce({ now: NOW + 2 })).toMatchObject({ deactivatedDags: [], deactivatedAssets: [] });
  });

  it('activates the assets DAGs declare and deactivates one no DAG declares any more, keeping its row', async () => {
    const tasks = [
      { taskId: 'extract', outlets: [orders] },
      { taskId: 'publish', inlets: [orders], outlets: [report] },
    ];
    folder.write('etl.ts', fakeDagModule({ dagId: 'etl', tasks }));
    folder.write('audit.ts', fakeDagModule({ dagId: 'audit', tasks: [{ taskId: 'check', inlets: [orders] }] }));

    const first = await runOnce();

    expect(first.activatedAssets).toEqual([orders, report]);
    expect(await activeAssets()).toEqual([orders, report]);

    folder.write('etl.ts', fakeDagModule({ dagId: 'etl', tasks: [{ taskId: 'extract', outlets: [orders] }] }));
    const second = await runOnce({ now: NOW + 1 });

    expect(second).toMatchObject({ activatedAssets: [], deactivatedAssets: [report] });
    expect(await activeAssets()).toEqual([orders]);
    const rows = await database.db.selectFrom('asset').select('name').orderBy('name').execute();
    expect(rows.map((row) => row.name)).toEqual(['orders', 'report']);

    folder.remove('etl.ts');
    folder.remove('audit.ts');
    expect((await runOnce({ now: NOW + 2 })).deactivatedAssets).toEqual([orders]);
    expect(await activeAssets()).toEqual([]);
  });

  it('does not load a DAG that declares a uri another DAG uses for another name, and reports it in its file', async () => {
    folder.write('a.ts', fakeDagModule({ dagId: 'a', tasks: [{ taskId: 't', outlets: [orders] }] }));
    folder.write(
      'b.ts',
      fakeDagModule({ dagId: 'b', tasks: [{ taskId: 't', inlets: [{ name: 'o', uri: orders.uri }] }] }),
    );

    const summary = await runOnce();

    expect(summary.dags).toEqual(['a']);
    expect(await readSerializedDag(database.db, 'b')).toBeUndefined();
    expect(await activeAssets()).toEqual([orders]);
    expect(await importErrors()).toEqual([
      {
        fileloc: 'b.ts',
        line: null,
        message: expect.stringMatching(/declares asset "o" with uri "s3:\/\/lake\/orders".*DAG "b" is not loaded/),
      },
    ]);
    expect((await runOnce({ now: NOW + 1 })).errors).toEqual([]);
  });

  it('keeps the loaded version of a DAG whose new version declares an asset name with another uri, until it is fixed', async () => {
    folder.write('a.ts', fakeDagModule({ dagId: 'a', tasks: [{ taskId: 't', outlets: [orders] }] }));
    folder.write('b.ts', fakeDagModule({ dagId: 'b', tasks: [{ taskId: 't', inlets: [orders] }] }));
    await runOnce();

    folder.write(
      'b.ts',
      fakeDagModule({ dagId: 'b', tasks: [{ taskId: 'u', inlets: [{ name: 'orders', uri: 's3://other' }] }] }),
    );
    const clash = await runOnce({ now: NOW + 1 });

    expect(clash.dags).toEqual([]);
    expect((await readSerializedDag(database.db, 'b'))?.tasks.map((task) => task.taskId)).toEqual(['t']);
    expect(await activeAssets()).toEqual([orders]);
    expect(await importErrors()).toEqual([
      {
        fileloc: 'b.ts',
        line: null,
        message: expect.stringContaining('DAG "b" declares asset "orders" with uri "s3://other"'),
      },
    ]);

    folder.write('b.ts', fakeDagModule({ dagId: 'b', tasks: [{ taskId: 'u', inlets: [orders] }] }));
    expect((await runOnce({ now: NOW + 2 })).dags).toEqual(['b']);
    expect((await readSerializedDag(database.db, 'b'))?.tasks.map((task) => task.taskId)).toEqual(['u']);
    expect(await importErrors()).toEqual([]);
  });

  it('reports a DAG id defined in a second file, and hands it over when the first file drops it', async () => {
    folder.write('a.ts', fakeDagModule({ dagId: 'etl', schedule: '@daily' }));
    folder.write('b.ts', fakeDagModule({ dagId: 'etl', schedule: '@hourly' }));
    await runOnce();

    expect(await dagRow('etl')).toMatchObject({ fileloc: 'a.ts', schedule: '@daily' });
    expect(await importErrors()).toEqual([
      { fileloc: 'b.ts', line: fakeDagLine(0), message: expect.stringContaining('already defined in a.ts') },
    ]);

    folder.remove('a.ts');
    const summary = await runOnce({ now: NOW + 1 });

    expect(summary).toMatchObject({ parsedFiles: [], dags: ['etl'], deactivatedDags: [] });
    expect(await dagRow('etl')).toMatchObject({ fileloc: 'b.ts', schedule: '@hourly', is_active: 1 });
    expect(await importErrors()).toEqual([]);
  });

  it('keeps a DAG id with its file when a new file, first by name, defines it too', async () => {
    folder.write('b.ts', fakeDagModule({ dagId: 'etl' }));
    await runOnce();

    folder.write('a.ts', fakeDagModule({ dagId: 'etl' }));
    await runOnce({ now: NOW + 1 });

    expect(await dagRow('etl')).toMatchObject({ fileloc: 'b.ts' });
    expect(await importErrors()).toEqual([
      { fileloc: 'a.ts', line: fakeDagLine(0), message: expect.stringContaining('already defined in b.ts') },
    ]);
  });

  it('keeps the pause flag of an existing DAG', async () => {
    folder.write('etl.ts', fakeDagModule({ dagId: 'etl', schedule: '@daily' }));
    processor = new DagProcessor({ dagsFolder: folder.path });
    await processor.runOnce(database, { now: NOW });
    await database.db.updateTable('dag').set({ is_paused: 1 }).execute();

    await processor.runOnce(database, { force: true, now: NOW + 1 });

    expect(await dagRow('etl')).toMatchObject({ is_paused: 1, last_parsed_at: NOW + 1 });
  });

  it('reports a hanging file after the timeout and stores the other files', async () => {
    processor = new DagProcessor({ fileTimeoutMs: 1_500 });
    folder.write('a-hangs.ts', 'await new Promise(() => {});\n');
    folder.write('b.ts', fakeDagModule({ dagId: 'b' }));

    const summary = await runOnce();

    expect(summary.dags).toEqual(['b']);
    expect(await importErrors()).toEqual([
      { fileloc: 'a-hangs.ts', line: null, message: expect.stringContaining('did not finish within 1500 ms') },
    ]);
  });
});
