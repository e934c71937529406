/**
 * State garbage collection (issue 6): how fast a pass deletes 1,000,000 expired task-state rows,
 * alone and while 8 writers keep writing fresh keys, and what the pass costs those writers (their
 * write latency during the pass against a baseline of the same writers without it, measured in the
 * same run on the same database).
 *
 *   node --import tsx/esm bench/state-gc.ts [--dialect sqlite|postgres|both] [--quick]
 *
 * Targets: ≥ 100,000 rows/s; writers' p99 during GC ≤ 3× the baseline p99 and ≤ 200 ms.
 */
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DialectName, type MetadataDatabase, MetastoreStateBackend } from '@tidemark/db';
import { createTestDatabase, type PostgresTestServer, startPostgresTestServer } from '@tidemark/db/testing';
import { runStateGc } from '../packages/runtime/src/state-gc/run-state-gc.ts';
import {
  countTaskState,
  type GcRun,
  insertExpiredTaskState,
  seedGcRun,
  writeUntil,
} from '../packages/runtime/src/state-gc/testing/expired-state-load.ts';
import { formatMs, median, percentile } from './stats.ts';

const args = process.argv.slice(2);
const dialectArg = args.includes('--dialect') ? args[args.indexOf('--dialect') + 1] : 'both';
const quick = args.includes('--quick');
const ROWS = quick ? 200_000 : 1_000_000;
const WRITERS = 8;
const BATCH = 5_000;
const BASELINE_MS = quick ? 2_000 : 4_000;

interface DialectResult {
  readonly dialect: DialectName;
  readonly insertMs: number;
  readonly aloneRate: number;
  readonly aloneMs: number;
  readonly concurrentRate: number;
  readonly concurrentMs: number;
  readonly baseline: readonly number[];
  readonly during: readonly number[];
  readonly writes: number;
}

async function main() {
  const dialects: DialectName[] = dialectArg === 'both' ? ['sqlite', 'postgres'] : [dialectArg as DialectName];
  let postgres: PostgresTestServer | undefined;
  const results: DialectResult[] = [];
  try {
    for (const dialect of dialects) {
      if (dialect === 'postgres') postgres = await startPostgresTestServer();
      results.push(await benchDialect(dialect, postgres?.url));
    }
  } finally {
    postgres?.stop();
  }
  printResults(results);
}

async function benchDialect(dialect: DialectName, postgresUrl: string | undefined): Promise<DialectResult> {
  const test = await createTestDatabase(dialect, { postgresUrl });
  const database = test.database;
  try {
    const backend = new MetastoreStateBackend(database, { maxValueBytes: 65_536, historyDepth: 10 });
    const run = await seedGcRun(database);

    const insertStarted = performance.now();
    await insertExpiredTaskState(database, run, { count: ROWS, expiresAt: Date.now() - 60_000 });
    const insertMs = performance.now() - insertStarted;
    await analyze(database);

    const alone = await timedGc(backend, ROWS);
    await check(database, run, 'expired', 0);

    const baseline = await writeUntil(backend, run, { writers: WRITERS, until: sleep(BASELINE_MS) });

    await insertExpiredTaskState(database, run, { count: ROWS, expiresAt: Date.now() - 60_000, taskId: 'expired2' });
    await analyze(database);
    const duringRun = await seedGcRun(database, 'gc_load_during');
    const gc = timedGc(backend, ROWS);
    const during = await writeUntil(backend, duringRun, { writers: WRITERS, until: gc });
    const concurrent = await gc;
    await check(database, run, 'expired2', 0);
    await checkWriters(database, duringRun, during.writes);

    return {
      dialect,
      insertMs,
      aloneRate: alone.rate,
      aloneMs: alone.ms,
      concurrentRate: concurrent.rate,
      concurrentMs: concurrent.ms,
      baseline: baseline.latencies,
      during: during.latencies,
      writes: during.latencies.length,
    };
  } finally {
    await test.destroy();
  }
}

async function timedGc(backend: MetastoreStateBackend, expected: number): Promise<{ rate: number; ms: number }> {
  const started = performance.now();
  const report = await runStateGc({ backend, batchSize: BATCH });
  const ms = performance.now() - started;
  if (report.expiredTaskState !== expected) {
    throw new Error(`GC removed ${report.expiredTaskState} expired rows, expected ${expected}`);
  }
  return { rate: expected / (ms / 1000), ms };
}

/** Fresh statistics after a bulk insert, as autovacuum would eventually gather them. */
async function analyze(database: MetadataDatabase): Promise<void> {
  const { sql } = await import('kysely');
  await sql`analyze`.execute(database.db);
}

async function check(database: MetadataDatabase, run: GcRun, taskId: string, expected: number): Promise<void> {
  const count = await countTaskState(database, run, taskId);
  if (count !== expected) throw new Error(`task ${taskId} has ${count} task-state rows, expected ${expected}`);
}

async function checkWriters(database: MetadataDatabase, run: GcRun, writes: readonly number[]): Promise<void> {
  for (const [writer, count] of writes.entries()) await check(database, run, `writer-${writer}`, count);
}

function printResults(results: readonly DialectResult[]): void {
  const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} rows/s`;
  process.stdout.write(
    `\nState GC: ${ROWS.toLocaleString('en-US')} expired task-state rows, batches of ${BATCH}, ` +
      `${WRITERS} writers (${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version})\n\n`,
  );
  const lines = [
    '| dialect | insert (1 statement) | GC alone | GC with 8 writers | writers p50 base → during | writers p99 base → during | p99 ratio | writes during GC |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    const p99Base = percentile(result.baseline, 99);
    const p99During = percentile(result.during, 99);
    lines.push(
      `| ${result.dialect} | ${formatMs(result.insertMs)} | ${rate(result.aloneRate)} (${formatMs(result.aloneMs)}) | ` +
        `${rate(result.concurrentRate)} (${formatMs(result.concurrentMs)}) | ` +
        `${formatMs(median(result.baseline))} → ${formatMs(median(result.during))} | ` +
        `${formatMs(p99Base)} → ${formatMs(p99During)} | ${(p99During / p99Base).toFixed(2)}× | ${result.writes} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\nTargets: ≥ 100,000 rows/s; p99 during GC ≤ 3× baseline and ≤ 200 ms.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
