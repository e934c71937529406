import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listActiveAssets, listImportErrors, readSerializedDag } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DagProcessor } from './dag-processor.ts';
import { TempDagsFolder } from './testing/temp-dags-folder.ts';

// DAG files written with the real SDK, as task authors write them.
const ETL = `import { asset, dag } from '@tidemark/sdk';

const orders = asset('orders', { uri: 's3://lake/orders' });
const d = dag('etl', { schedule: '@daily', description: 'orders into the lake' });
const a = d.task('a', async () => 1, { outlets: [orders] });
const b = d.task('b', async (ctx) => 2, { inlets: [orders] });
a.then(b);
export default d;
`;

const CYCLE = `import { dag } from '@tidemark/sdk';

export const looped = dag('looped', {});
const x = looped.task('x', async () => 1);
const y = looped.task('y', async () => 2);
x.then(y);
y.then(x);
`;

const DUPLICATE_TASK = `import { dag } from '@tidemark/sdk';

const d = dag('twice', {});
d.task('a', async () => 1);
d.task('a', async () => 2);
export default d;
`;

const SDK_PACKAGE = fileURLToPath(new URL('../', import.meta.resolve('@tidemark/sdk')));

describe.each(eachDialect())('DagProcessor with @tidemark/sdk DAG files on %s', (dialect) => {
  let test: TestDatabase;
  let folder: TempDagsFolder;
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    folder = new TempDagsFolder();
    // DAG files import '@tidemark/sdk' from the project they live in.
    mkdirSync(join(folder.path, 'node_modules', '@tidemark'), { recursive: true });
    symlinkSync(SDK_PACKAGE, join(folder.path, 'node_modules', '@tidemark', 'sdk'));
  });
  afterEach(async () => {
    folder.destroy();
    await test.destroy();
  });

  it('registers an SDK DAG with its tasks and assets, and reports a cycle and a duplicate task id', async () => {
    folder.write('etl.ts', ETL);
    folder.write('cycle.ts', CYCLE);
    folder.write('duplicate-task.ts', DUPLICATE_TASK);

    const summary = await new DagProcessor().runOnce(test.database, { dagsFolder: folder.path });

    expect(summary.dags).toEqual(['etl']);
    const etl = await readSerializedDag(test.database.db, 'etl');
    expect(etl).toMatchObject({ dagId: 'etl', fileloc: 'etl.ts', schedule: '@daily' });
    expect(etl?.tasks.map((task) => [task.taskId, task.upstreamTaskIds])).toEqual([
      ['a', []],
      ['b', ['a']],
    ]);
    expect((await listActiveAssets(test.database.db)).map(({ name, uri }) => ({ name, uri }))).toEqual([
      { name: 'orders', uri: 's3://lake/orders' },
    ]);
    const errors = (await listImportErrors(test.database.db)).map(({ fileloc, line, message }) => ({
      fileloc,
      line,
      message,
    }));
    expect(errors).toEqual([
      { fileloc: 'cycle.ts', line: 3, message: expect.stringMatching(/DagDefinitionError: .*cycle/) },
      { fileloc: 'duplicate-task.ts', line: 5, message: expect.stringMatching(/DagDefinitionError: .*"a"/) },
    ]);
  });
});
