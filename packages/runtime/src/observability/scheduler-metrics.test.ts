import { configSchema, type TidemarkConfig } from '@tidemark/core';
import { type MetadataDatabase, MetastoreStateBackend } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import { sampleValue } from '@tidemark/server/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningScheduler, startScheduler } from '../scheduler/scheduler.ts';
import type { StateGcReport } from '../state-gc/run-state-gc.ts';
import { type GcRun, insertExpiredTaskState, seedGcRun } from '../state-gc/testing/expired-state-load.ts';
import { SchedulerMetrics } from './scheduler-metrics.ts';

describe.each(eachDialect())('scheduler metrics on %s', (dialect) => {
  let test: TestDatabase;
  let database: MetadataDatabase;
  let run: GcRun;
  let scheduler: RunningScheduler | undefined;

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    database = test.database;
    run = await seedGcRun(database);
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    await test.destroy();
  });

  it('counts the rows a GC pass removed by category, the pass and every scheduling loop', async () => {
    await insertExpiredTaskState(database, run, { count: 37, expiresAt: Date.now() - 1 });
    const registry = new Registry();
    const config: TidemarkConfig = {
      ...configSchema.parse({ state: { gc_interval: '1h', gc_batch_size: 10 } }),
      home: '/nonexistent',
      database: { url: test.url },
    };
    const passes: StateGcReport[] = [];
    scheduler = startScheduler({
      config,
      database,
      log: pino({ level: 'silent' }),
      stateGc: {
        backend: new MetastoreStateBackend(database, { maxValueBytes: 0, historyDepth: 10 }),
        pollIntervalMs: 20,
        onPass: (report) => passes.push(report),
      },
      metrics: new SchedulerMetrics(registry),
    });
    await expect.poll(() => passes.length, { timeout: 15_000 }).toBe(1);
    await scheduler.nextPass();

    const text = await registry.metrics();
    expect(sampleValue(text, 'tidemark_state_gc_rows_removed_total', { category: 'expired_task_state' })).toBe(37);
    expect(sampleValue(text, 'tidemark_state_gc_rows_removed_total', { category: 'trimmed_history' })).toBe(0);
    expect(sampleValue(text, 'tidemark_state_gc_pass_duration_seconds_count')).toBe(1);
    expect(
      sampleValue(text, 'tidemark_scheduler_loop_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'tidemark_scheduler_loop_duration_seconds_count', { outcome: 'error' })).toBe(0);
  });
});
