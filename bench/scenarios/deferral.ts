/**
 * Scenario 11: deferral (SPEC §16), with real processes.
 *
 * * Resume latency: `tidemark standalone` runs `bench_deferral`, whose tasks defer to a poll (every
 *   500 ms) of a "job" that ends at a known instant (once all have deferred, 400 ms apart); measured
 *   from that instant to the resumed task function being entered. Baseline from the same run: a
 *   fresh task, queued → function entered.
 * * Waiting cost: 1,000 deferred tries, each waiting on a poll every 10 s (100 checks/s), run by a
 *   `tidemark triggerer` process against a `tidemark api-server`; its CPU (its watcher process
 *   included) over a window once all are leased, and its resident memory. Baseline: the same
 *   triggerer with nothing to run, measured first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  claimNextAttempt,
  type DialectName,
  deferTry,
  type MetadataDatabase,
  queueTaskInstances,
  triggerDagRun,
} from '@tidemark/db';
import { createTestDatabase, freePort, waitUntil } from '@tidemark/db/testing';
import { DagProcessor } from '@tidemark/runtime';
import { type BenchRow, ms, ratio } from '../harness/bench-results.ts';
import { stopProcess } from '../harness/bench-world.ts';
import { processTreeUsage } from '../harness/process-usage.ts';
import { openStandaloneWorld } from '../harness/standalone-world.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'tidemark.mjs');
const BENCH_DAGS = join(import.meta.dirname, '..', 'dags');
const SECRET_KEY = 'bench-secret-key-bench-secret-key-0123456789';
const WAITING = 1_000;

export async function deferralLatencyScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const count = options.quick ? 10 : 40;
  const world = await openStandaloneWorld(dialect, {
    postgresUrl: options.postgresUrl,
    dags: ['bench_deferral', 'bench_deferral_fresh'],
  });
  try {
    const staggerMs = 400;
    await world.runDag('bench_deferral', {
      count,
      ends_from: Date.now() + 10_000 + count * 150,
      stagger_ms: staggerMs,
    });
    const rows = await world.database.db
      .selectFrom('task_instance as ti')
      .innerJoin('xcom', (join) =>
        join
          .onRef('xcom.dag_run_id', '=', 'ti.dag_run_id')
          .onRef('xcom.task_id', '=', 'ti.task_id')
          .onRef('xcom.map_index', '=', 'ti.map_index')
          .on('xcom.key', '=', 'return_value'),
      )
      .select(['ti.try_number', 'ti.queued_at', 'xcom.value'])
      .where('ti.dag_id', '=', 'bench_deferral')
      .where('ti.task_id', '=', 'wait_for_job')
      .execute();
    const latencies = rows.map((row) => {
      const { enteredAt, endsAt } = JSON.parse(row.value) as { enteredAt: number; endsAt: number };
      return enteredAt - endsAt;
    });
    const tries = new Set(rows.map((row) => row.try_number));
    const fresh: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { tis } = await world.runDag('bench_deferral_fresh');
      for (const ti of tis) fresh.push((ti.returnValue as { enteredAt: number }).enteredAt - ti.queuedAt);
    }
    const baseline = median(fresh);
    const p50 = median(latencies);
    return [
      {
        id: '11',
        scenario: `deferred task: job end → resumed function entered (${count} tasks, poll every 500 ms)`,
        dialect,
        measure: 'p50 / p99',
        value: `${ms(p50)} / ${ms(percentile(latencies, 99))}`,
        baseline: `fresh task queued → entered ${ms(baseline)}`,
        ratio: ratio(p50, baseline),
        target: 'p50 ≤ 1 s',
        met: p50 <= 1_000 && tries.size === 1 && tries.has(1),
      },
    ];
  } finally {
    await world.close();
  }
}

export async function deferralWaitingScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const windowMs = options.quick ? 20_000 : 60_000;
  const test = await createTestDatabase(dialect, { postgresUrl: options.postgresUrl });
  const home = mkdtempSync(join(tmpdir(), 'tidemark-bench-deferral-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    TIDEMARK_HOME: home,
    TIDEMARK_DATABASE__URL: test.url,
    TIDEMARK_API__PORT: String(port),
    TIDEMARK_API__SECRET_KEY: SECRET_KEY,
    TIDEMARK_CORE__DAGS_FOLDER: BENCH_DAGS,
    TIDEMARK_LOGGING__LEVEL: 'warn',
  };
  const processes: ChildProcess[] = [];
  try {
    await new DagProcessor().runOnce(test.database, { dagsFolder: BENCH_DAGS });
    processes.push(spawn(process.execPath, [BIN, 'api-server'], { env, stdio: 'ignore' }));
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitUntil(
      () =>
        fetch(`${apiUrl}/health`).then(
          (response) => response.ok,
          () => false,
        ),
      'the api-server to answer',
      60_000,
      200,
    );
    const triggerer = spawn(process.execPath, [BIN, 'triggerer', '--api-url', apiUrl], { env, stdio: 'ignore' });
    processes.push(triggerer);
    await sleep(5_000); // started and leasing
    const idle = await measure(triggerer.pid as number, options.quick ? 5_000 : 15_000);

    await seedWaitingDeferrals(test.database, WAITING);
    await waitUntil(
      async () => {
        const row = await test.database.db
          .selectFrom('task_deferral')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('lease_owner', 'is not', null)
          .where('check_count', '>', 0)
          .executeTakeFirstOrThrow();
        return Number(row.n) >= WAITING ? true : undefined;
      },
      `the triggerer to lease and check all ${WAITING} deferrals`,
      120_000,
      500,
    );
    const busy = await measure(triggerer.pid as number, windowMs);
    const cpuShare = busy.cpuMs / windowMs;
    const idleShare = idle.cpuMs / idle.windowMs;
    const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
    return [
      {
        id: '11',
        scenario: `triggerer with ${WAITING.toLocaleString('en-US')} waiting deferrals (polls every 10 s), CPU of one core`,
        dialect,
        measure: `share over ${windowMs / 1_000} s`,
        value: `${(cpuShare * 100).toFixed(1)} %`,
        baseline: `no deferrals ${(idleShare * 100).toFixed(1)} %`,
        ratio: '—',
        target: '≤ 10 %',
        met: cpuShare <= 0.1,
      },
      {
        id: '11',
        scenario: '… its resident memory (triggerer + watcher process), most seen',
        dialect,
        measure: 'RSS',
        value: mb(busy.maxRssBytes),
        baseline: `no deferrals ${mb(idle.maxRssBytes)}`,
        ratio: ratio(busy.maxRssBytes, idle.maxRssBytes),
        target: '≤ 200 MB',
        met: busy.maxRssBytes <= 200 * 2 ** 20,
      },
    ];
  } finally {
    for (const child of processes.reverse()) await stopProcess(child);
    await test.destroy();
    rmSync(home, { recursive: true, force: true });
  }
}

/** CPU used by the process tree over `windowMs`, and the most memory seen (sampled every 500 ms). */
async function measure(pid: number, windowMs: number) {
  const start = processTreeUsage(pid);
  let most = start;
  const until = Date.now() + windowMs;
  while (Date.now() < until) {
    await sleep(Math.min(500, until - Date.now()));
    const now = processTreeUsage(pid);
    if (now.rssBytes > most.rssBytes) most = now;
  }
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  process.stderr.write(
    `  most memory seen: ${most.processes.map((p) => `${p.command} ${mb(p.rssBytes)} MB`).join(', ')}\n`,
  );
  return { cpuMs: processTreeUsage(pid).cpuMs - start.cpuMs, maxRssBytes: most.rssBytes, windowMs };
}

/** `count` runs of bench_deferral_idle whose one try is deferred to its poll, as the finish route leaves them. */
async function seedWaitingDeferrals(database: MetadataDatabase, count: number): Promise<void> {
  const now = Date.now();
  const tiIds: string[] = [];
  for (let index = 0; index < count; index++) {
    const run = await triggerDagRun(database, { dagId: 'bench_deferral_idle', runId: `idle-${index}` });
    const ti = await database.db
      .selectFrom('task_instance')
      .select('id')
      .where('dag_run_id', '=', run.dagRunId)
      .executeTakeFirstOrThrow();
    tiIds.push(ti.id);
  }
  await queueTaskInstances(database.db, tiIds, now);
  for (let index = 0; index < count; index++) {
    const claimed = await claimNextAttempt(database, { worker: 'bench:1', now: Date.now() });
    if (!claimed) throw new Error(`only ${index} of ${count} task instances could be claimed`);
    const ti = claimed.taskInstance;
    await deferTry(database, {
      tiId: ti.id,
      tryNumber: ti.try_number,
      wait: {
        kind: 'poll',
        name: 'file_exists',
        args: JSON.stringify({ path: `/nonexistent/${ti.run_id}` }),
        everyMs: 10_000,
      },
      timeoutAt: null,
      // Spread the first checks over one interval, as deferrals made over time would be.
      now: Date.now() - Math.floor(Math.random() * 10_000),
    });
  }
}
