import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest } from '../migrations/migrator.ts';
import { openDatabase } from '../open-database.ts';
import { releaseAfterTestFile } from './release-after-test-file.ts';

/**
 * Migrating a SQLite file costs about 25 ms; copying a migrated one about 1. The template is this
 * process's, migrated once and closed (so its WAL is checkpointed into the file), and removed after
 * the test file.
 */
let sqliteTemplate: Promise<string> | undefined;

/** The template's path: a migrated SQLite file to copy. */
export function migratedSqliteTemplate(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tidemark-test-template-'));
    const file = join(folder, 'tidemark.db');
    const database = openDatabase(`sqlite:${file}`);
    try {
      await migrateToLatest(database);
    } finally {
      await database.close();
    }
    releaseAfterTestFile(async () => {
      sqliteTemplate = undefined;
      rmSync(folder, { recursive: true, force: true });
    });
    return file;
  })();
  return sqliteTemplate;
}
