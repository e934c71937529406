import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assetScope, taskScope } from '@tidemark/core';
import { activateAsset, deactivateAsset, MetastoreStateBackend } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import { countTaskState, type GcRun, insertExpiredTaskState, seedGcRun } from '@tidemark/runtime/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTidemark } from '../testing/run-tidemark.ts';

const HOUR = 3_600_000;
const CUSTOM_BACKEND = join(import.meta.dirname, 'fixtures', 'recording-cleanup-backend.mjs');

describe.each(eachDialect())('tidemark state-store clean on %s (real binary)', (dialect) => {
  let test: TestDatabase;
  let home: string;
  let env: Record<string, string>;
  let run: GcRun;

  const tidemark = (...args: string[]) => runTidemark(['state-store', 'clean', ...args], env);
  const assetRows = async () =>
    Number(
      (
        await test.database.db
          .selectFrom('asset_state')
          .select((eb) => eb.fn.countAll().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    home = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
    env = { TIDEMARK_HOME: home, TIDEMARK_DATABASE__URL: test.url, TIDEMARK_LOGGING__LEVEL: 'silent' };
    run = await seedGcRun(test.database);
    // 3 expired keys, 1 live one, and the state (1 version of history) of an asset no DAG declares.
    await insertExpiredTaskState(test.database, run, { count: 3, expiresAt: Date.now() - 1_000 });
    const backend = new MetastoreStateBackend(test.database, { maxValueBytes: 0, historyDepth: 10 });
    await backend.set(taskScope({ ...run, taskId: 'load' }), 'job_id', 'j-1', { expiresAt: Date.now() + HOUR });
    const orders = await activateAsset(test.database.db, { name: 'orders' });
    await backend.set(assetScope(orders), 'watermark', 41);
    await deactivateAsset(test.database.db, orders);
  });
  afterEach(async () => {
    await test.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  it('--dry-run lists what would go and changes nothing; --json adds the rows to the report', async () => {
    const dry = await tidemark('--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toBe(
      [
        'would remove task state state_gc_load/gc_load/expired[0] key "k"',
        'would remove task state state_gc_load/gc_load/expired[1] key "k"',
        'would remove task state state_gc_load/gc_load/expired[2] key "k"',
        'would remove asset state of "orders" key "watermark"',
        'would remove history of asset state of "orders" key "watermark" version 1',
        'Dry run: would remove 5 row(s); nothing was changed.',
        '  expired task state        3',
        '  expired DAG state         0',
        '  state of inactive assets  1',
        '  history beyond the depth  1',
        '',
      ].join('\n'),
    );
    expect(await countTaskState(test.database, run, 'expired')).toBe(3);
    expect(await assetRows()).toBe(1);

    const json = await tidemark('--dry-run', '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      dry_run: true,
      removed: 5,
      expired_task_state: 3,
      expired_dag_state: 0,
      orphaned_asset_state: 1,
      trimmed_history: 1,
      sweeps: {},
    });
    expect(report.items).toHaveLength(5);
    expect(report.items[3]).toEqual({
      category: 'orphanedAssetState',
      item: 'asset state of "orders" key "watermark"',
    });
    expect(await countTaskState(test.database, run, 'expired')).toBe(3);
  }, 60_000);

  it('removes the garbage, --verbose lists it, and a second run finds nothing', async () => {
    const cleaned = await tidemark('--verbose');
    expect(cleaned.code).toBe(0);
    const lines = cleaned.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'removed task state state_gc_load/gc_load/expired[0] key "k"',
      'removed task state state_gc_load/gc_load/expired[1] key "k"',
      'removed task state state_gc_load/gc_load/expired[2] key "k"',
      'removed asset state of "orders" key "watermark"',
      'removed history of asset state of "orders" key "watermark" version 1',
    ]);
    expect(lines[5]).toMatch(/^Removed 5 row\(s\) in \d+\.\ds\.$/);
    expect(await countTaskState(test.database, run, 'expired')).toBe(0);
    expect(await countTaskState(test.database, run, 'load')).toBe(1);
    expect(await assetRows()).toBe(0);

    const again = await tidemark('--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ dry_run: false, removed: 0 });
    expect(JSON.parse(again.stdout).items).toBeUndefined();
  }, 60_000);

  it('with an offload store, also removes its objects that no row names', async () => {
    const folder = join(home, 'offload');
    const orphan = join(folder, 'task', 'a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64));
    mkdirSync(dirname(orphan), { recursive: true });
    writeFileSync(orphan, '"payload of a write whose row is gone"');
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
    utimesSync(orphan, twoHoursAgo, twoHoursAgo);
    env = { ...env, TIDEMARK_STATE__OFFLOAD__BACKEND: 'filesystem', TIDEMARK_STATE__OFFLOAD__FOLDER: folder };

    expect((await tidemark('--dry-run')).code).toBe(0);
    expect(existsSync(orphan)).toBe(true);
    const cleaned = await tidemark('--json');

    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(existsSync(orphan)).toBe(false);
    expect(cleaned.stdout).toContain('offload-orphans');
  });

  it("calls a custom backend's cleanup instead of the SQL path, with state.gc_batch_size", async () => {
    env = { ...env, TIDEMARK_STATE__BACKEND: CUSTOM_BACKEND, TIDEMARK_STATE__GC_BATCH_SIZE: '7' };
    const result = await tidemark('--verbose');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('removed custom row 3\nRemoved 3 row(s)');
    expect(JSON.parse(readFileSync(join(home, 'cleanup-calls.json'), 'utf8'))).toEqual({ dryRun: false, batchSize: 7 });
    expect(await countTaskState(test.database, run, 'expired')).toBe(3);
  }, 60_000);

  it('refuses a database that still needs migrating, and bad options, with one line', async () => {
    const unmigrated = await openTestDatabaseFor(dialect, { migrate: false });
    try {
      const result = await runTidemark(['state-store', 'clean'], { ...env, TIDEMARK_DATABASE__URL: unmigrated.url });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^tidemark: the database has \d+ pending migration\(s\) .*run "tidemark db migrate"\n$/,
      );
    } finally {
      await unmigrated.destroy();
    }
    const bad = await tidemark('--dry');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown option '--dry'");
    expect(await countTaskState(test.database, run, 'expired')).toBe(3);
  }, 60_000);
});
