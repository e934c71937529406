/**
 * Per-attempt overhead of the runtime, measured end to end with real processes (issue 3, and
 * scenario 5 of the benchmark issue):
 *   start overhead = task function entered − TI queued by the scheduler (split at the worker's claim)
 *   end overhead   = success recorded − task function returned
 * over a chain of 200 no-op tasks (each queued when the previous one succeeded, so none waits for
 * a slot), and the wall time of a 1,000 no-op-task DAG run in parallel. Baseline from the
 * same run: starting a bare `node --import tsx/esm` process, the floor of a fresh task process.
 *
 *   node --import tsx/esm bench/runtime-overhead.ts [--dialect sqlite|postgres] [--quick]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, type DialectName, migrateToLatest, readSerializedDag, triggerDagRun } from '@tidemark/db';
import { createTestDatabase, startPostgresTestServer } from '@tidemark/db/testing';
import { formatMs, median, percentile } from './stats.ts';

const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'tidemark.mjs');
const args = process.argv.slice(2);
const dialect = (args[args.indexOf('--dialect') + 1] ?? 'sqlite') as DialectName;
const quick = args.includes('--quick');

async function main() {
  const baseline = bareProcessStarts(quick ? 5 : 15);
  const postgres = dialect === 'postgres' ? await startPostgresTestServer() : undefined;
  const test = await createTestDatabase(dialect, { postgresUrl: postgres?.url });
  const home = mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  const port = await freePort();
  const standalone = spawn(process.execPath, [BIN, 'standalone'], {
    env: {
      ...process.env,
      TIDEMARK_HOME: home,
      TIDEMARK_DATABASE__URL: test.url,
      TIDEMARK_CORE__DAGS_FOLDER: join(import.meta.dirname, 'dags'),
      TIDEMARK_API__PORT: String(port),
      TIDEMARK_LOGGING__LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    const database = await connectDatabase(test.url);
    await migrateToLatest(database);
    await waitFor(() => readSerializedDag(database.db, 'bench_noop_chain_200'), 120_000);

    const chain = await runDag(database, 'bench_noop_chain_200');
    const tis = quick ? chain.tis.slice(0, 50) : chain.tis;
    const claim = tis.map((ti) => ti.startDate - ti.queuedAt);
    const spawn = tis.map((ti) => ti.enteredAt - ti.startDate);
    const end = tis.map((ti) => ti.endDate - ti.leftAt);
    const total = tis.map((ti) => ti.enteredAt - ti.queuedAt + ti.endDate - ti.leftAt);
    const big = quick ? undefined : await runDag(database, 'bench_noop_1000');

    const rows = [
      ['queued → claimed by a worker', claim],
      ['claimed → task function entered (spawn, imports)', spawn],
      ['task returned → success recorded', end],
      ['**per-attempt overhead** (queued → entered, returned → recorded)', total],
      ['baseline: bare `node --import tsx/esm` process start', baseline],
    ] as const;
    console.log(
      `\n### Runtime overhead (${dialect}, ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version})\n`,
    );
    console.log('| measure | p50 | p99 | vs. bare process start |');
    console.log('|---|---|---|---|');
    for (const [name, values] of rows) {
      console.log(
        `| ${name} | ${formatMs(median(values))} | ${formatMs(percentile(values, 99))} | ${(median(values) / median(baseline)).toFixed(2)}× |`,
      );
    }
    console.log(`| chain of 200 no-op tasks, wall time | ${(chain.wallMs / 1000).toFixed(1)} s | | |`);
    if (big) console.log(`| 1,000 no-op tasks, wall time | ${(big.wallMs / 1000).toFixed(1)} s | | |`);
    await database.close();
  } finally {
    standalone.kill('SIGTERM');
    await new Promise((resolve) => standalone.on('exit', resolve));
    await test.destroy();
    postgres?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

async function runDag(database: Awaited<ReturnType<typeof connectDatabase>>, dagId: string) {
  const started = Date.now();
  const runId = `bench-${started}`;
  await triggerDagRun(database, { dagId, runId });
  await waitFor(async () => {
    const run = await database.db
      .selectFrom('dag_run')
      .select('state')
      .where('dag_id', '=', dagId)
      .where('run_id', '=', runId)
      .executeTakeFirst();
    if (run?.state === 'failed') throw new Error(`${dagId} failed`);
    return run?.state === 'success';
  }, 900_000);
  const wallMs = Date.now() - started;
  const rows = await database.db
    .selectFrom('task_instance as ti')
    .innerJoin('xcom', (join) =>
      join.onRef('xcom.dag_run_id', '=', 'ti.dag_run_id').onRef('xcom.task_id', '=', 'ti.task_id'),
    )
    .select(['ti.queued_at', 'ti.start_date', 'ti.end_date', 'xcom.value'])
    .where('ti.dag_id', '=', dagId)
    .where('ti.run_id', '=', runId)
    .execute();
  const tis = rows.map((row) => {
    const { enteredAt, leftAt } = JSON.parse(row.value) as { enteredAt: number; leftAt: number };
    return {
      queuedAt: row.queued_at as number,
      startDate: row.start_date as number,
      endDate: row.end_date as number,
      enteredAt,
      leftAt,
    };
  });
  return { wallMs, tis };
}

function bareProcessStarts(count: number): number[] {
  return Array.from({ length: count }, () => {
    const started = performance.now();
    execFileSync(process.execPath, ['--import', 'tsx/esm', '-e', '0']);
    return performance.now() - started;
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

await main();
