import { type SerializedDag, serializeStoredDag } from '@tidemark/core';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializedDagHash } from '../repositories/serialized-dag-hash.ts';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import type { TestDatabase } from '../testing/test-database.ts';
import { dagSerializedHashSchema } from './0010-dag-serialized-hash.ts';
import { MIGRATIONS } from './migration-list.ts';

const NOW = Date.UTC(2026, 0, 1);

const dagText = (dagId: string, description: string | null = null) => {
  const dag: SerializedDag = {
    dagId,
    fileloc: `${dagId}.ts`,
    schedule: null,
    startDate: null,
    catchup: false,
    description,
    tags: [],
    tasks: [serializedTask('a')],
  };
  return serializeStoredDag(dag);
};

// biome-ignore lint/suspicious/noExplicitAny: the test writes the dag table as raw SQL would
type AnyDb = Kysely<any>;

/** Issue 18: migration 0010 gives every stored DAG the hash of its text, and no writer can leave a wrong one. */
describe.each(eachDialect())('migration 0010_dag_serialized_hash on %s', (dialect) => {
  let test: TestDatabase;
  let db: AnyDb;
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect, { migrate: false });
    db = test.database.db as unknown as AnyDb;
    for (const earlier of MIGRATIONS.slice(0, MIGRATIONS.indexOf(dagSerializedHashSchema)))
      await earlier.up(db, dialect);
  });
  afterEach(() => test.destroy());

  const hashes = async () =>
    (await db.selectFrom('dag').select(['dag_id', 'serialized_hash']).orderBy('dag_id').execute()) as {
      dag_id: string;
      serialized_hash: string | null;
    }[];

  it('hashes the DAGs stored before it, and leaves a DAG without structure without a hash', async () => {
    const text = dagText('parsed');
    await sql`insert into dag (dag_id, serialized, created_at, updated_at) values ('parsed', ${text}, ${NOW}, ${NOW})`.execute(
      db,
    );
    await sql`insert into dag (dag_id, created_at, updated_at) values ('registered', ${NOW}, ${NOW})`.execute(db);

    await dagSerializedHashSchema.up(db, dialect);

    expect(await hashes()).toEqual([
      { dag_id: 'parsed', serialized_hash: serializedDagHash(text) },
      { dag_id: 'registered', serialized_hash: null },
    ]);
  });

  it('clears the hash when the text changes without a new one, and keeps a new hash written with the text', async () => {
    await dagSerializedHashSchema.up(db, dialect);
    const first = dagText('etl');
    const second = dagText('etl', 'second');
    await sql`insert into dag (dag_id, serialized, serialized_hash, created_at, updated_at)
      values ('etl', ${first}, ${serializedDagHash(first)}, ${NOW}, ${NOW})`.execute(db);

    await sql`update dag set serialized = ${second} where dag_id = 'etl'`.execute(db);
    expect(await hashes()).toEqual([{ dag_id: 'etl', serialized_hash: null }]);

    await sql`update dag set serialized = ${first}, serialized_hash = ${serializedDagHash(first)} where dag_id = 'etl'`.execute(
      db,
    );
    expect(await hashes()).toEqual([{ dag_id: 'etl', serialized_hash: serializedDagHash(first) }]);

    // Other columns change freely.
    await sql`update dag set is_paused = 1 where dag_id = 'etl'`.execute(db);
    expect(await hashes()).toEqual([{ dag_id: 'etl', serialized_hash: serializedDagHash(first) }]);
  });
});
