import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { listImportErrors, replaceImportErrors } from './dag-import-error-repository.ts';

const NOW = Date.UTC(2026, 0, 1);

describe.each(eachDialect())('DAG import error repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  beforeEach(async () => {
    db = test.database.db;
  });

  it("replaces a file's errors and leaves other files' alone", async () => {
    await replaceImportErrors(db, 'b.ts', [{ line: 3, message: 'old' }], NOW);
    await replaceImportErrors(db, 'a.ts', [{ line: null, message: 'stays' }], NOW);

    await replaceImportErrors(
      db,
      'b.ts',
      [
        { line: 7, message: 'first' },
        { line: null, message: 'second' },
      ],
      NOW + 1,
    );

    expect((await listImportErrors(db)).map(({ id: _id, ...error }) => error)).toEqual([
      { fileloc: 'a.ts', line: null, message: 'stays', createdAt: NOW },
      { fileloc: 'b.ts', line: 7, message: 'first', createdAt: NOW + 1 },
      { fileloc: 'b.ts', line: null, message: 'second', createdAt: NOW + 1 },
    ]);
    expect((await listImportErrors(db, 'a.ts')).map((error) => error.message)).toEqual(['stays']);
  });

  it('clears a file whose errors are gone', async () => {
    await replaceImportErrors(db, 'a.ts', [{ line: 1, message: 'broken' }], NOW);

    await replaceImportErrors(db, 'a.ts', [], NOW + 1);

    expect(await listImportErrors(db)).toEqual([]);
  });
});
