import { randomUUID } from 'node:crypto';
import { type SerializedDag, serializeStoredDag } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import { queryCounter } from '../testing/query-counter.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import type { TestDatabase } from '../testing/test-database.ts';
import { registerDag, upsertSerializedDag } from './dag-repository.ts';
import { parseStoredDagCached, readSerializedDag } from './parsed-dag-cache.ts';

const DAG: SerializedDag = {
  dagId: 'cached',
  fileloc: 'cached.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('a')],
};

describe('parseStoredDagCached', () => {
  it('returns the same parse for the same text, and parses a new version of the DAG again', () => {
    const text = serializeStoredDag(DAG);
    const first = parseStoredDagCached(text, 'cached');
    expect(parseStoredDagCached(`${text}`, 'cached')).toBe(first);

    const changed = parseStoredDagCached(serializeStoredDag({ ...DAG, tasks: [serializedTask('b')] }), 'cached');
    expect(changed.tasks.map((task) => task.taskId)).toEqual(['b']);
  });

  it('throws for malformed text, as parseStoredDag does, and caches nothing for it', () => {
    expect(() => parseStoredDagCached('{not json', 'broken')).toThrow();
    expect(() => parseStoredDagCached('{not json', 'broken')).toThrow();
  });
});

describe.each(eachDialect())('readSerializedDag on %s', (dialect) => {
  let test: TestDatabase;
  let dagId: string;
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    // The cache is the process's: a DAG id of its own keeps each test's reads its own.
    dagId = `stored_${dialect}_${randomUUID().slice(0, 8)}`;
  });
  afterEach(() => test.destroy());

  async function read(knownHash?: string | null) {
    const counter = queryCounter();
    const dag = await readSerializedDag(test.database.db.withPlugin(counter.plugin), dagId, knownHash);
    return { dag, statements: counter.count };
  }

  it('reads the text once per version, then only its hash', async () => {
    await upsertSerializedDag(test.database.db, { ...DAG, dagId });
    const first = await read();
    expect(first.statements).toBe(2);
    expect(first.dag?.tasks.map((task) => task.taskId)).toEqual(['a']);
    expect(await read()).toEqual({ dag: first.dag, statements: 1 });
    const { serialized_hash: hash } = await test.database.db
      .selectFrom('dag')
      .select('serialized_hash')
      .where('dag_id', '=', dagId)
      .executeTakeFirstOrThrow();
    expect(await read(hash)).toEqual({ dag: first.dag, statements: 0 });

    await upsertSerializedDag(test.database.db, { ...DAG, dagId, tasks: [serializedTask('b')] });
    const second = await read();
    expect(second.statements).toBe(2);
    expect(second.dag?.tasks.map((task) => task.taskId)).toEqual(['b']);
  });

  it('reads the text of a DAG whose text was written without its hash', async () => {
    await upsertSerializedDag(test.database.db, { ...DAG, dagId });
    expect((await read()).dag?.tasks.map((task) => task.taskId)).toEqual(['a']);
    await test.database.db
      .updateTable('dag')
      .set({ serialized: serializeStoredDag({ ...DAG, dagId, tasks: [serializedTask('c')] }) })
      .where('dag_id', '=', dagId)
      .execute();
    const { dag, statements } = await read();
    expect(dag?.tasks.map((task) => task.taskId)).toEqual(['c']);
    expect(statements).toBe(2);
  });

  it('answers undefined for an unknown DAG and for one registered without its structure', async () => {
    expect(await read()).toEqual({ dag: undefined, statements: 1 });
    await registerDag(test.database.db, { dagId });
    expect(await read()).toEqual({ dag: undefined, statements: 2 });
  });
});
