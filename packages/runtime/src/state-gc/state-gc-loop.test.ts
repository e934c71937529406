import { type ConfigInput, configSchema, type TidemarkConfig } from '@tidemark/core';
import {
  claimStateGcPass,
  type MetadataDatabase,
  MetastoreStateBackend,
  openDatabase,
  releaseStateGcLease,
  renewStateGcLease,
} from '@tidemark/db';
import { eachDialect, ManualClock, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import pino, { type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningScheduler, startScheduler } from '../scheduler/scheduler.ts';
import type { StateGcReport } from './run-state-gc.ts';
import type { StateGcCheckOutcome } from './state-gc-loop.ts';
import { countTaskState, type GcRun, insertExpiredTaskState, seedGcRun } from './testing/expired-state-load.ts';

const silent = pino({ level: process.env.GC_TEST_LOG ?? 'silent' });

describe.each(eachDialect())('automatic state garbage collection on %s', (dialect) => {
  let test: TestDatabase;
  let database: MetadataDatabase;
  let run: GcRun;
  const schedulers: RunningScheduler[] = [];
  const connections: MetadataDatabase[] = [];

  function configWith(state: ConfigInput['state']): TidemarkConfig {
    return { ...configSchema.parse({ state }), home: '/nonexistent', database: { url: test.url } };
  }

  /** A scheduler on its own connection, as a separate process would have. */
  function scheduler(
    config: TidemarkConfig,
    options: {
      clock?: ManualClock;
      onPass?: (r: StateGcReport) => void;
      onCheck?: (outcome: StateGcCheckOutcome) => void;
      log?: Logger;
    },
  ) {
    const connection = openDatabase(test.url);
    connections.push(connection);
    const clock = options.clock?.now ?? Date.now;
    const backend = new MetastoreStateBackend(connection, { maxValueBytes: 0, historyDepth: 10, clock });
    const running = startScheduler({
      config,
      database: connection,
      log: options.log ?? silent,
      clock,
      stateGc: {
        backend,
        pollIntervalMs: 20,
        ...(options.onPass ? { onPass: options.onPass } : {}),
        ...(options.onCheck ? { onCheck: options.onCheck } : {}),
      },
    });
    schedulers.push(running);
    return running;
  }

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    database = test.database;
    run = await seedGcRun(database);
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((running) => running.stop()));
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await test.destroy();
  });

  it('the scheduler removes expired rows by itself, every state.gc_interval', async () => {
    const passes: StateGcReport[] = [];
    await insertExpiredTaskState(database, run, { count: 50, expiresAt: Date.now() - 1 });
    scheduler(configWith({ gc_interval: '300ms', gc_batch_size: 20 }), { onPass: (report) => passes.push(report) });

    const removedByPass = () => passes.map((pass) => pass.expiredTaskState).filter((count) => count > 0);
    await expect.poll(removedByPass, { timeout: 15_000 }).toEqual([50]);
    expect(await countTaskState(database, run, 'expired')).toBe(0);
    await insertExpiredTaskState(database, run, { count: 5, expiresAt: Date.now() - 1, taskId: 'later' });
    await expect.poll(removedByPass, { timeout: 15_000 }).toEqual([50, 5]);
    expect(await countTaskState(database, run, 'later')).toBe(0);
  });

  it('state.gc_interval 0 turns it off', async () => {
    await insertExpiredTaskState(database, run, { count: 5, expiresAt: Date.now() - 1 });
    const logged: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
    const running = scheduler(configWith({ gc_interval: '0' }), { log });
    await running.nextPass();
    // No loop starts at all (nothing to wait for): the scheduler says so once.
    expect(logged.join('')).toContain('automatic state garbage collection is off (state.gc_interval is 0)');
    expect(await countTaskState(database, run, 'expired')).toBe(5);
    expect(await database.db.selectFrom('state_gc_lease').selectAll().execute()).toEqual([]);
  });

  it('of two schedulers, only one runs each pass', async () => {
    const clock = new ManualClock(Date.now());
    const config = configWith({ gc_interval: '1h' });
    const passes: string[] = [];
    const checks: string[] = [];
    await insertExpiredTaskState(database, run, { count: 10, expiresAt: clock.now() - 1 });
    for (const name of ['a', 'b']) {
      scheduler(config, {
        clock,
        onPass: (report) => passes.push(`${name}:${report.expiredTaskState}`),
        onCheck: (outcome) => checks.push(`${name}:${outcome}`),
      });
    }
    /** Waits until each loop has looked at the lease `times` more times, and found no pass to run. */
    const bothLookAgain = async (times: number) => {
      const from = checks.length;
      const idleLooks = (name: string) =>
        checks.slice(from).filter((check) => check === `${name}:not_due` || check === `${name}:held_elsewhere`).length;
      await expect
        .poll(() => Math.min(idleLooks('a'), idleLooks('b')), {
          timeout: 15_000,
          message: `both GC loops to look at the lease ${times} more times`,
        })
        .toBeGreaterThanOrEqual(times);
    };

    await expect.poll(() => passes.length, { timeout: 15_000 }).toBe(1);
    await expect.poll(() => countTaskState(database, run, 'expired'), { timeout: 15_000 }).toBe(0);
    // Garbage that a second pass within the same hour would remove.
    await insertExpiredTaskState(database, run, { count: 10, expiresAt: clock.now() - 1, taskId: 'second' });
    await bothLookAgain(3);
    expect(await countTaskState(database, run, 'second')).toBe(10);
    expect(passes).toHaveLength(1);

    clock.advance(3_600_000);
    await expect.poll(() => passes.length, { timeout: 15_000 }).toBe(2);
    expect(await countTaskState(database, run, 'second')).toBe(0);
    await bothLookAgain(3);
    expect(passes).toHaveLength(2);
    expect(passes.map((pass) => pass.slice(2))).toEqual(['10', '10']);
  });
});

describe.each(eachDialect())('the state GC lease on %s', (dialect) => {
  let test: TestDatabase;
  const connections: MetadataDatabase[] = [];
  const claim = (db: MetadataDatabase, holder: string, now: number) =>
    claimStateGcPass(db.db, { holder, now, intervalMs: 1_000, leaseMs: 300 });

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await test.destroy();
  });

  it('of 8 schedulers asking at once on their own connections, exactly one gets the pass', async () => {
    for (let i = 0; i < 8; i++) connections.push(openDatabase(test.url));
    const results = await Promise.all(connections.map((connection, i) => claim(connection, `s${i}`, 10_000)));
    expect(results.filter((result) => result.claimed)).toHaveLength(1);
    const winner = `s${results.findIndex((result) => result.claimed)}`;
    for (const result of results.filter((r) => !r.claimed)) {
      expect(result).toEqual({ claimed: false, retryAt: 11_000, holder: winner });
    }
  });

  it('is due again one interval after a pass started; a crashed holder frees it when its lease lapses', async () => {
    const db = test.database;
    expect(await claim(db, 'a', 10_000)).toEqual({ claimed: true });
    await releaseStateGcLease(db.db, { holder: 'a', now: 10_100 });
    expect(await claim(db, 'b', 10_999)).toMatchObject({ claimed: false, retryAt: 11_000 });
    expect(await claim(db, 'b', 11_000)).toEqual({ claimed: true });
    // b "crashes" without releasing: due at 12,000, but its lease runs until 11,300 only.
    expect(await claim(db, 'c', 12_000)).toEqual({ claimed: true });
    // A pass longer than the interval renews its lease, which holds the next pass off.
    expect(await renewStateGcLease(db.db, { holder: 'c', now: 12_900, leaseMs: 300 })).toBe(true);
    expect(await claim(db, 'd', 13_100)).toEqual({ claimed: false, retryAt: 13_200, holder: 'c' });
    expect(await renewStateGcLease(db.db, { holder: 'b', now: 13_100, leaseMs: 300 })).toBe(false);
    await releaseStateGcLease(db.db, { holder: 'c', now: 13_150 });
    expect(await claim(db, 'd', 13_150)).toEqual({ claimed: true });
  });
});
