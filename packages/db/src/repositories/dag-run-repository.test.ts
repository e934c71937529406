import type { SerializedDag } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { upsertSerializedDag } from './dag-repository.ts';
import { triggerDagRun } from './dag-run-repository.ts';

const NOW = Date.UTC(2026, 0, 1);

const etl: SerializedDag = {
  dagId: 'etl',
  fileloc: 'etl.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('extract')],
};

describe.each(eachDialect())('DAG run repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  beforeEach(async () => {
    database = test.database;
    await upsertSerializedDag(database.db, etl, NOW);
  });

  it('gives runs triggered in the same millisecond distinct default run ids', async () => {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await triggerDagRun(database, { dagId: 'etl' }, NOW));
    const base = `manual__${new Date(NOW).toISOString()}`;
    expect(runs.map((run) => run.runId)).toEqual([base, `${base}__2`, `${base}__3`]);
  });

  it('still refuses a run id the caller chose twice, and writes nothing for it', async () => {
    await triggerDagRun(database, { dagId: 'etl', runId: 'once' }, NOW);
    await expect(triggerDagRun(database, { dagId: 'etl', runId: 'once' }, NOW + 1)).rejects.toThrow(
      'DAG "etl" already has a run "once"; choose another dag_run_id',
    );
    const rows = await database.db.selectFrom('dag_run').select('run_id').execute();
    expect(rows).toEqual([{ run_id: 'once' }]);
  });
});
