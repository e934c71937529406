import { taskScope } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { seedDagRun, seedRunningAttempt } from '../testing/seed-task-instance.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';
import type { OwnTaskKeyRewrite } from './one-statement-set.ts';
import { rewriteManyOnSqlite } from './sqlite-task-rewrite.ts';

const RUN = { dagId: 'rewrites', runId: 'manual__1' };
const SCOPE = taskScope({ ...RUN, taskId: 'load', mapIndex: -1 });
const NOW = 1_000_000;
const DEPTH = 3;

/**
 * The SQLite rewrite writes exactly what the general path would, or nothing at all and says so
 * (undefined), leaving the general path to decide; on PostgreSQL it never applies.
 */
describe.each(eachDialect())('rewriteManyOnSqlite on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let tiId: string;

  beforeEach(async () => {
    database = test.database;
    const run = await seedDagRun(database.db, { dagId: RUN.dagId }, { runId: RUN.runId });
    tiId = await seedRunningAttempt(database.db, run, 'load');
    const backend = new MetastoreStateBackend(database, { maxValueBytes: 1_000, historyDepth: DEPTH });
    await backend.set(SCOPE, 'cursor', 'first', { fence: { tiId, tryNumber: 2 }, expiresAt: NOW + 10 });
  });

  const rewrite = (changes: Partial<OwnTaskKeyRewrite> = {}): OwnTaskKeyRewrite => ({
    scope: SCOPE,
    key: 'cursor',
    fence: { tiId, tryNumber: 2 },
    value: '"second"',
    expiresAt: NOW + 60_000,
    updatedBy: '{"kind":"task"}',
    ifVersion: undefined,
    now: NOW,
    historyDepth: DEPTH,
    ...changes,
  });
  const inTransaction = async (write: OwnTaskKeyRewrite) => (await rewriteManyOnSqlite(database.db, [write]))[0];
  const stored = () =>
    database.db
      .selectFrom('task_state')
      .select(['key', 'value', 'version', 'updated_at', 'expires_at', 'updated_by'])
      .execute();
  const historyVersions = async () =>
    (await database.db.selectFrom('state_history').select('version').orderBy('version').execute()).map(
      (row) => row.version,
    );

  it.runIf(dialect === 'sqlite')('rewrites the row to the next version and records it in history', async () => {
    expect(await inTransaction(rewrite())).toBe(2);
    expect(await stored()).toEqual([
      {
        key: 'cursor',
        value: '"second"',
        version: 2,
        updated_at: NOW,
        expires_at: NOW + 60_000,
        updated_by: '{"kind":"task"}',
      },
    ]);
    const [latest] = await database.db
      .selectFrom('state_history')
      .select(['version', 'operation', 'value', 'written_at', 'written_by'])
      .where('version', '=', 2)
      .execute();
    expect(latest).toEqual({
      version: 2,
      operation: 'set',
      value: '"second"',
      written_at: NOW,
      written_by: '{"kind":"task"}',
    });
  });

  it.runIf(dialect === 'sqlite')('trims history to its depth', async () => {
    for (let version = 2; version <= DEPTH + 2; version++) expect(await inTransaction(rewrite())).toBe(version);
    expect(await historyVersions()).toEqual([3, 4, 5]);
  });

  it.runIf(dialect === 'sqlite')('applies a matching compare-and-set', async () => {
    expect(await inTransaction(rewrite({ ifVersion: 1 }))).toBe(2);
  });

  const declines: [string, () => OwnTaskKeyRewrite][] = [
    ['a stale try', () => rewrite({ fence: { tiId, tryNumber: 1 } })],
    ['an unknown TI', () => rewrite({ fence: { tiId: 'no-such-ti', tryNumber: 2 } })],
    [
      'a TI of another run',
      () => rewrite({ scope: taskScope({ ...RUN, runId: 'other', taskId: 'load', mapIndex: -1 }) }),
    ],
    ['a key without a row', () => rewrite({ key: 'absent' })],
    ['a compare-and-set that does not match', () => rewrite({ ifVersion: 2 })],
    ['a compare-and-set on an expired row', () => rewrite({ ifVersion: 1, now: NOW + 10 })],
  ];
  it.runIf(dialect === 'sqlite').each(declines)('declines %s and writes nothing', async (_, write) => {
    const before = { rows: await stored(), history: await historyVersions() };
    expect(await inTransaction(write())).toBeUndefined();
    expect({ rows: await stored(), history: await historyVersions() }).toEqual(before);
  });

  it.runIf(dialect === 'sqlite')('writes a batch in order, declining only the writes it cannot decide', async () => {
    const versions = await rewriteManyOnSqlite(database.db, [
      rewrite({ value: '"a"' }),
      rewrite({ key: 'absent' }),
      rewrite({ value: '"b"', ifVersion: 2 }),
      rewrite({ value: '"stale"', fence: { tiId, tryNumber: 1 } }),
      rewrite({ value: '"c"', ifVersion: 2 }),
    ]);
    expect(versions).toEqual([2, undefined, 3, undefined, undefined]);
    expect((await stored()).map((row) => [row.key, row.value, row.version])).toEqual([['cursor', '"b"', 3]]);
    expect(await historyVersions()).toEqual([1, 2, 3]);
  });

  it.runIf(dialect === 'sqlite')('rolls the whole batch back when one of its writes fails', async () => {
    const before = { rows: await stored(), history: await historyVersions() };
    const unbindable = rewrite({ value: { not: 'a string' } as unknown as string });
    await expect(rewriteManyOnSqlite(database.db, [rewrite(), unbindable])).rejects.toThrow();
    expect({ rows: await stored(), history: await historyVersions() }).toEqual(before);
    expect(await inTransaction(rewrite())).toBe(2);
  });

  it.runIf(dialect === 'sqlite')('waits for a transaction that holds the connection, then writes', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const other = database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('user')
        .values({ username: 'held', password_hash: 'x', role: 'viewer', created_at: NOW, updated_at: NOW })
        .execute();
      entered();
      await held;
    });
    await inside;
    const rewriting = rewriteManyOnSqlite(database.db, [rewrite()]);
    release();
    await other;
    expect(await rewriting).toEqual([2]);
    expect(await database.db.selectFrom('user').select('username').execute()).toEqual([{ username: 'held' }]);
  });

  it.runIf(dialect === 'postgres')('refuses a PostgreSQL database and writes nothing', async () => {
    const before = await stored();
    await expect(rewriteManyOnSqlite(database.db, [rewrite()])).rejects.toThrow(/SQLite/);
    expect(await stored()).toEqual(before);
  });
});
