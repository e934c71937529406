/**
 * Overhead of the `checkpoint` helper (issue 7): 100,000 items, each ~100 µs of CPU (a short
 * sha256 chain, calibrated in the task process), through a bare loop, through `checkpoint`
 * (progress written in the background at most once per window), and with one plain
 * `ctx.taskState.set` per item, the Airflow way. Everything runs in one real task attempt: task
 * process → worker supervisor → execution API → database. One `set` per item is measured on
 * fewer items (it is far slower) and compared per item. The same loops with no work give the
 * loop's own cost per item, which a busy machine disturbs much less than the full loops.
 *
 *   node --import tsx/esm bench/checkpoint-overhead.ts [--dialect sqlite|postgres] [--quick]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, type DialectName, migrateToLatest, readSerializedDag, triggerDagRun } from '@tidemark/db';
import { createTestDatabase, startPostgresTestServer } from '@tidemark/db/testing';
import { median } from './stats.ts';

const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'tidemark.mjs');
const DAG_ID = 'bench_checkpoint_overhead';
const args = process.argv.slice(2);
const dialect = (args.includes('--dialect') ? args[args.indexOf('--dialect') + 1] : 'sqlite') as DialectName;
const quick = args.includes('--quick');
const conf = quick
  ? { items: 20_000, reps: 3, setPerItemItems: 1_000, targetUs: 100 }
  : { items: 100_000, reps: 7, setPerItemItems: 5_000, targetUs: 100 };

const LABELS: Record<string, string> = {
  bare: 'bare loop (`for … of`)',
  checkpoint_items_100_ms_2000: '`checkpoint`, every `{ items: 100, ms: 2000 }`',
  checkpoint_ms_1000: '`checkpoint`, every `{ ms: 1000 }`',
  set_per_item: 'one `ctx.taskState.set` per item (Airflow way)',
};

interface Results {
  readonly rounds: number;
  readonly wallUs: Record<string, number[]>;
  readonly cpuUs: Record<string, number[]>;
  readonly noWorkUs: Record<string, number[]>;
}

async function main() {
  const postgres = dialect === 'postgres' ? await startPostgresTestServer() : undefined;
  const test = await createTestDatabase(dialect, { postgresUrl: postgres?.url });
  const home = mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  const standalone = spawn(process.execPath, [BIN, 'standalone'], {
    env: {
      ...process.env,
      TIDEMARK_HOME: home,
      TIDEMARK_DATABASE__URL: test.url,
      TIDEMARK_CORE__DAGS_FOLDER: join(import.meta.dirname, 'dags'),
      TIDEMARK_API__PORT: String(await freePort()),
      TIDEMARK_LOGGING__LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    const database = await connectDatabase(test.url);
    await migrateToLatest(database);
    await waitFor(() => readSerializedDag(database.db, DAG_ID), 120_000);
    const runId = `bench-${Date.now()}`;
    const loadBefore = loadavg()[0] as number;
    await triggerDagRun(database, { dagId: DAG_ID, runId, conf });
    await waitFor(async () => {
      const run = await database.db
        .selectFrom('dag_run')
        .select('state')
        .where('dag_id', '=', DAG_ID)
        .where('run_id', '=', runId)
        .executeTakeFirst();
      if (run?.state === 'failed') throw new Error(`${DAG_ID} failed; see its log in ${home}/logs`);
      return run?.state === 'success';
    }, 1_800_000);
    const xcom = await database.db
      .selectFrom('xcom')
      .select('value')
      .where('dag_id', '=', DAG_ID)
      .where('run_id', '=', runId)
      .where('key', '=', 'return_value')
      .executeTakeFirstOrThrow();
    const results = JSON.parse(xcom.value) as Results;
    const versions = await database.db
      .selectFrom('task_state')
      .select(['key', 'version'])
      .where('dag_id', '=', DAG_ID)
      .where('run_id', '=', runId)
      .execute();
    const writesOf = (suffix: string) =>
      median(
        versions.filter((row) => row.key.startsWith('work-') && row.key.endsWith(suffix)).map((row) => row.version),
      );
    const writes: Record<string, string> = {
      bare: '0',
      checkpoint_items_100_ms_2000: String(writesOf('-items')),
      checkpoint_ms_1000: String(writesOf('-ms')),
      set_per_item: '1 per item',
    };
    printReport(results, writes, [loadBefore, loadavg()[0] as number]);
    await database.close();
  } finally {
    standalone.kill('SIGTERM');
    await new Promise((resolve) => standalone.on('exit', resolve));
    await test.destroy();
    postgres?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

function printReport(results: Results, writes: Record<string, string>, load: readonly number[]): void {
  const { rounds, wallUs, cpuUs, noWorkUs } = results;
  const bareNoWork = median(noWorkUs.bare ?? []);
  console.log(
    `\n### Checkpoint overhead (${dialect}, ${cpus().length} × ${cpus()[0]?.model}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${load.map((l) => l.toFixed(1)).join(' → ')})\n`,
  );
  console.log(
    `${conf.items.toLocaleString('en')} items × ~${conf.targetUs} µs of CPU (sha256 chain of ${rounds}), ` +
      `${conf.reps} interleaved repetitions (order rotated) in one task attempt; one set per item on ` +
      `${conf.setPerItemItems.toLocaleString('en')} items. "vs. bare" is the median of each repetition's ` +
      'ratio to the bare loop of the same repetition.\n',
  );
  console.log(
    '| loop | wall per item | wall vs. bare | task-process CPU per item | CPU vs. bare | ' +
      'loop cost per item, no work | that cost vs. a 100 µs item | progress writes per loop |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const name of Object.keys(wallUs)) {
    const noWork = median(noWorkUs[name] ?? []);
    const share = ((noWork - bareNoWork) / conf.targetUs) * 100;
    console.log(
      `| ${LABELS[name] ?? name} | ${median(wallUs[name] ?? []).toFixed(1)} µs | ${pairedRatio(wallUs, name)} | ` +
        `${median(cpuUs[name] ?? []).toFixed(1)} µs | ${pairedRatio(cpuUs, name)} | ${noWork.toFixed(2)} µs | ` +
        `${name === 'bare' ? '—' : `+${share.toFixed(2)} %`} | ${writes[name]} |`,
    );
  }
  const rounded = (samples: Record<string, number[]>) =>
    JSON.stringify(
      Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => Number(x.toFixed(2)))])),
    );
  console.log(`\nper repetition, wall µs/item: ${rounded(wallUs)}`);
  console.log(`per repetition, CPU µs/item: ${rounded(cpuUs)}`);
  console.log(`per repetition, no work, µs/item: ${rounded(noWorkUs)}`);
}

/** Median over repetitions of value / bare of the same repetition (one set per item: its only sample vs. the bare median). */
function pairedRatio(samples: Record<string, number[]>, name: string): string {
  if (name === 'bare') return '1.000×';
  const bare = samples.bare ?? [];
  const values = samples[name] ?? [];
  const ratios =
    values.length === bare.length
      ? values.map((value, rep) => value / (bare[rep] as number))
      : values.map((value) => value / median(bare));
  const ratio = median(ratios);
  const percent = (ratio - 1) * 100;
  return `${ratio.toFixed(3)}× (${percent >= 0 ? '+' : ''}${percent.toFixed(1)} %)`;
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
