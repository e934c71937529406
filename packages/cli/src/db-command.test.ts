import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTidemark } from './testing/run-tidemark.ts';

const ALL_MIGRATIONS = MIGRATIONS.map((migration) => migration.name);
const tidemark = (args: string[], env: Record<string, string>) => runTidemark(args, env);

describe.each(eachDialect())('tidemark db on %s (real binary)', (dialect) => {
  let test: TestDatabase;
  let home: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect, { migrate: false });
    home = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
    env = { TIDEMARK_HOME: home, TIDEMARK_DATABASE__URL: test.url };
  });
  afterEach(async () => {
    await test.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  it('migrates, then reports up to date, and a second migrate is a no-op', async () => {
    const before = await tidemark(['db', 'status', '--json'], env);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ dialect, up_to_date: false, pending: ALL_MIGRATIONS });

    const first = await tidemark(['db', 'migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied 0001_initial_schema');

    const second = await tidemark(['db', 'migrate'], env);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/is up to date/);

    const after = JSON.parse((await tidemark(['db', 'status', '--json'], env)).stdout);
    expect(after).toMatchObject({ up_to_date: true, pending: [], unknown: [] });
    expect(after.applied.map((row: { name: string }) => row.name)).toEqual(ALL_MIGRATIONS);
  });

  it('refuses a newer database with one line and a non-zero exit', async () => {
    await tidemark(['db', 'migrate'], env);
    await sql`insert into tidemark_migration (name, timestamp) values ('9999_future', '2030-01-01')`.execute(
      test.database.db,
    );
    const result = await tidemark(['db', 'migrate'], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^tidemark: the database was migrated by a newer Tidemark: migration 9999_future/);
    const status = await tidemark(['db', 'status'], env);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('NEWER than this Tidemark');
  });
});

describe('tidemark errors', () => {
  it('names an unknown setting and where it came from, without a stack trace', async () => {
    const result = await tidemark(['db', 'status'], { TIDEMARK_HOME: tmpdir(), TIDEMARK_STATE__BOGUS: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'tidemark: unknown setting "state.bogus" (from environment variable TIDEMARK_STATE__BOGUS); see the configuration section of the README for valid settings\n',
    );
  });

  it('says which database it cannot reach', async () => {
    const result = await tidemark(['db', 'migrate'], {
      TIDEMARK_HOME: tmpdir(),
      TIDEMARK_DATABASE__URL: 'postgres://tidemark:secret@127.0.0.1:1/tidemark',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^tidemark: cannot reach the database at postgres:\/\/tidemark:\*\*\*@127\.0\.0\.1:1\/tidemark: /,
    );
    expect(result.stderr).not.toContain('secret');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints its version', async () => {
    expect(await tidemark(['version'], {})).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});
