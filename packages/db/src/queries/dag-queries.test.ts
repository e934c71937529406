import type { SerializedDag } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { replaceImportErrors } from '../repositories/dag-import-error-repository.ts';
import { deactivateDags, registerDag, upsertSerializedDag } from '../repositories/dag-repository.ts';
import { advanceNextRunAt } from '../repositories/dag-schedule-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { findDag, listDags, listImportErrorPage } from './dag-queries.ts';

const NOW = Date.UTC(2026, 0, 1);

function serialized(dagId: string, changes: Partial<SerializedDag> = {}): SerializedDag {
  return {
    dagId,
    fileloc: `dags/${dagId}.ts`,
    schedule: '@hourly',
    startDate: Date.UTC(2025, 0, 1),
    catchup: false,
    description: `the ${dagId} DAG`,
    tags: ['team'],
    tasks: [],
    ...changes,
  };
}

const ids = (page: { items: { dagId: string }[] }) => page.items.map((dag) => dag.dagId);

describe.each(eachDialect())('DAG queries on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  beforeEach(async () => {
    db = test.database.db;
    await upsertSerializedDag(db, serialized('Sales_Daily'), NOW);
    await upsertSerializedDag(db, serialized('sales%weekly'), NOW + 2);
    await upsertSerializedDag(db, serialized('marketing', { schedule: null }), NOW + 1);
  });

  it('reads a DAG with its structure, flags and times', async () => {
    await advanceNextRunAt(db, 'marketing', null, NOW + 3_600_000);
    expect(await findDag(db, 'marketing')).toEqual({
      dagId: 'marketing',
      fileloc: 'dags/marketing.ts',
      description: 'the marketing DAG',
      schedule: null,
      isPaused: false,
      isActive: true,
      lastParsedAt: NOW + 1,
      nextRunAt: NOW + 3_600_000,
      serialized: serialized('marketing', { schedule: null }),
    });
    expect(await findDag(db, 'nope')).toBeUndefined();
  });

  it('reads a registered DAG that was never parsed with no structure', async () => {
    await registerDag(db, { dagId: 'pending' }, NOW);
    expect(await findDag(db, 'pending')).toMatchObject({ dagId: 'pending', serialized: null, fileloc: '' });
  });

  it('pages through DAGs by id, counting all matches', async () => {
    const first = await listDags(db, { limit: 2, offset: 0 });
    expect(ids(first)).toEqual(['Sales_Daily', 'marketing']);
    expect(first.totalEntries).toBe(3);
    const rest = await listDags(db, { limit: 2, offset: 2 });
    expect(ids(rest)).toEqual(['sales%weekly']);
    expect(rest.totalEntries).toBe(3);
  });

  it('matches the pattern case-insensitively, with %, _ and \\ as themselves', async () => {
    expect(ids(await listDags(db, { limit: 10, offset: 0, dagIdPattern: 'SALES' }))).toEqual([
      'Sales_Daily',
      'sales%weekly',
    ]);
    expect(ids(await listDags(db, { limit: 10, offset: 0, dagIdPattern: '%' }))).toEqual(['sales%weekly']);
    expect(ids(await listDags(db, { limit: 10, offset: 0, dagIdPattern: 's_d' }))).toEqual(['Sales_Daily']);
    expect(ids(await listDags(db, { limit: 10, offset: 0, dagIdPattern: 'sales_' }))).toEqual(['Sales_Daily']);
    expect((await listDags(db, { limit: 10, offset: 0, dagIdPattern: '\\' })).totalEntries).toBe(0);
  });

  it('filters on the pause and active flags', async () => {
    await db.updateTable('dag').set({ is_paused: 1 }).where('dag_id', '=', 'marketing').execute();
    await deactivateDags(db, ['Sales_Daily'], NOW);
    expect(ids(await listDags(db, { limit: 10, offset: 0, paused: true }))).toEqual(['marketing']);
    expect(ids(await listDags(db, { limit: 10, offset: 0, paused: false }))).toEqual(['Sales_Daily', 'sales%weekly']);
    expect(ids(await listDags(db, { limit: 10, offset: 0, onlyActive: true }))).toEqual(['marketing', 'sales%weekly']);
  });

  it('orders by a column in either direction, nulls last, ties by DAG id', async () => {
    const order = (column: 'last_parsed_at' | 'next_run_at', descending: boolean) =>
      listDags(db, { limit: 10, offset: 0, order: { column, descending } }).then(ids);
    expect(await order('last_parsed_at', false)).toEqual(['Sales_Daily', 'marketing', 'sales%weekly']);
    expect(await order('last_parsed_at', true)).toEqual(['sales%weekly', 'marketing', 'Sales_Daily']);
    await advanceNextRunAt(db, 'marketing', null, NOW + 10);
    expect(await order('next_run_at', false)).toEqual(['marketing', 'Sales_Daily', 'sales%weekly']);
    expect(await order('next_run_at', true)).toEqual(['marketing', 'sales%weekly', 'Sales_Daily']);
  });

  it('pages through import errors by file', async () => {
    await replaceImportErrors(db, 'b.ts', [{ line: 1, message: 'one' }], NOW);
    await replaceImportErrors(
      db,
      'a.ts',
      [
        { line: null, message: 'two' },
        { line: 9, message: 'three' },
      ],
      NOW + 5,
    );
    const page = await listImportErrorPage(db, { limit: 2, offset: 1 });
    expect(page.totalEntries).toBe(3);
    expect(page.items).toEqual([
      { id: expect.any(Number), fileloc: 'a.ts', line: 9, message: 'three', createdAt: NOW + 5 },
      { id: expect.any(Number), fileloc: 'b.ts', line: 1, message: 'one', createdAt: NOW },
    ]);
  });
});
