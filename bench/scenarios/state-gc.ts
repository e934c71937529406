/**
 * Scenario 7: a garbage-collection pass over 1,000,000 expired task-state rows (200,000 with
 * --quick), alone and while 8 writers keep writing fresh keys through the backend, and what the
 * pass costs those writers: their latency during the pass against the same writers without it,
 * measured in the same run on the same database.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type DialectName, type MetadataDatabase, MetastoreStateBackend } from '@tidemark/db';
import { createTestDatabase } from '@tidemark/db/testing';
import { countTaskState, type GcRun, insertExpiredTaskState, seedGcRun, writeUntil } from '@tidemark/runtime/testing';
import { sql } from 'kysely';
import { runStateGc } from '../../packages/runtime/src/state-gc/run-state-gc.ts';
import { type BenchRow, ms, perSecond, ratio } from '../harness/bench-results.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const WRITERS = 8;
const BATCH = 5_000;

export async function stateGcScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const rows = options.quick ? 200_000 : 1_000_000;
  const test = await createTestDatabase(dialect, { postgresUrl: options.postgresUrl });
  const database = test.database;
  try {
    const backend = new MetastoreStateBackend(database, { maxValueBytes: 65_536, historyDepth: 10 });
    const run = await seedGcRun(database);
    await insertExpiredTaskState(database, run, { count: rows, expiresAt: Date.now() - 60_000 });
    await analyze(database);
    const alone = await timedGc(backend, rows);
    await expectRows(database, run, 'expired', 0);

    const baseline = await writeUntil(backend, run, { writers: WRITERS, until: sleep(options.quick ? 2_000 : 4_000) });
    await insertExpiredTaskState(database, run, { count: rows, expiresAt: Date.now() - 60_000, taskId: 'expired2' });
    await analyze(database);
    const duringRun = await seedGcRun(database, 'gc_load_during');
    const gc = timedGc(backend, rows);
    const during = await writeUntil(backend, duringRun, { writers: WRITERS, until: gc });
    const concurrent = await gc;
    await expectRows(database, run, 'expired2', 0);
    for (const [writer, count] of during.writes.entries()) {
      await expectRows(database, duringRun, `writer-${writer}`, count);
    }

    const p99Base = percentile(baseline.latencies, 99);
    const p99During = percentile(during.latencies, 99);
    return [
      {
        id: '7',
        scenario: `GC of ${rows.toLocaleString('en-US')} expired rows, ${WRITERS} writers running`,
        dialect,
        measure: 'rows/s',
        value: perSecond(concurrent.rate),
        baseline: `GC alone ${perSecond(alone.rate)}`,
        ratio: ratio(concurrent.rate, alone.rate),
        target: '≥ 100,000 rows/s',
        met: concurrent.rate >= 100_000,
      },
      {
        id: '7',
        scenario: `writers during that GC (${during.latencies.length.toLocaleString('en-US')} writes)`,
        dialect,
        measure: 'p50 / p99',
        value: `${ms(median(during.latencies))} / ${ms(p99During)}`,
        baseline: `writers without GC ${ms(median(baseline.latencies))} / ${ms(p99Base)}`,
        ratio: `${ratio(p99During, p99Base)} p99`,
        target: 'p99 ≤ 3× and ≤ 200 ms',
        met: p99During <= 3 * p99Base && p99During <= 200,
      },
    ];
  } finally {
    await test.destroy();
  }
}

async function timedGc(backend: MetastoreStateBackend, expected: number): Promise<{ rate: number }> {
  const started = performance.now();
  const report = await runStateGc({ backend, batchSize: BATCH });
  const seconds = (performance.now() - started) / 1000;
  if (report.expiredTaskState !== expected) {
    throw new Error(`GC removed ${report.expiredTaskState} expired rows, expected ${expected}`);
  }
  return { rate: expected / seconds };
}

/** Fresh statistics after a bulk insert, as autovacuum would eventually gather them. */
async function analyze(database: MetadataDatabase): Promise<void> {
  await sql`analyze`.execute(database.db);
}

async function expectRows(database: MetadataDatabase, run: GcRun, taskId: string, expected: number): Promise<void> {
  const count = await countTaskState(database, run, taskId);
  if (count !== expected) throw new Error(`task ${taskId} has ${count} task-state rows, expected ${expected}`);
}
