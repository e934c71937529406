/**
 * Scenario 5p: peer anchors for scenario 5's 1,000 no-op tasks (issue 18). The same work in two job
 * runners people compare Tidemark with, run here on the same machine in the same run:
 *   graphile-worker — 1,000 jobs added in one SQL statement, run by one worker on PostgreSQL;
 *   BullMQ          — a flow of one parent and 1,000 children, run by one worker on Redis.
 * Both run jobs as functions inside the worker's own process (no process per attempt, no isolation),
 * with the concurrency of Tidemark's default `worker.parallelism` (8). They are anchors to report,
 * not targets to tune to. They live in bench/peers (their own package.json, installed on first use,
 * never by `npm ci`); BullMQ needs `redis-server` (Debian: `apt-get install -y redis-server`) and
 * its row says so when there is none.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, startPostgresTestServer } from '@tidemark/db/testing';
import pg from 'pg';
import type { BenchRow } from '../harness/bench-results.ts';
import { median } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const PEERS = join(import.meta.dirname, '..', 'peers');
const JOBS = 1_000;
const CONCURRENCY = 8;
const REDIS_SERVER = '/usr/bin/redis-server';

export async function peerAnchorsScenario(_dialect: unknown, options: ScenarioOptions): Promise<BenchRow[]> {
  installPeers();
  const rounds = options.quick ? 1 : 3;
  const tidemark = (dialect: string) => options.shared.get(`noop_1000_ms:${dialect}`);
  return [await graphileWorkerRow(options, rounds, tidemark('postgres')), await bullmqRow(rounds, tidemark('sqlite'))];
}

async function graphileWorkerRow(options: ScenarioOptions, rounds: number, tidemarkMs?: number): Promise<BenchRow> {
  const ownServer = options.postgresUrl ? undefined : await startPostgresTestServer(undefined, { autovacuum: true });
  const serverUrl = options.postgresUrl ?? (ownServer?.url as string);
  try {
    const walls: number[] = [];
    for (let round = 0; round < rounds; round++) walls.push(await graphileWorkerRound(serverUrl, round));
    return peerRow('graphile-worker 0.16.6', 'postgres', median(walls), tidemarkMs, 'postgres');
  } finally {
    await ownServer?.stop();
  }
}

async function graphileWorkerRound(serverUrl: string, round: number): Promise<number> {
  const database = `bench_graphile_${process.pid}_${round}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const connectionString = databaseUrl(serverUrl, database);
  const { run, Logger } = peerModule<GraphileWorker>('graphile-worker');
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const pool = new pg.Pool({ connectionString, max: CONCURRENCY + 2 });
  pool.on('error', () => {}); // DROP DATABASE … WITH (FORCE) ends idle connections
  const runner = await run({
    pgPool: pool,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: new Logger(() => () => {}),
    taskList: {
      noop: async () => {
        done += 1;
        if (done === JOBS) allDone();
      },
    },
  });
  const jobs = new pg.Client({ connectionString });
  await jobs.connect();
  try {
    const started = performance.now();
    await jobs.query(
      "SELECT graphile_worker.add_job('noop', json_build_object('index', i)) FROM generate_series(1, $1::int) AS i",
      [JOBS],
    );
    await finished;
    return performance.now() - started;
  } finally {
    await runner.stop();
    await jobs.end();
    await pool.end();
    await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
    await admin.end();
  }
}

async function bullmqRow(rounds: number, tidemarkMs?: number): Promise<BenchRow> {
  const name = 'BullMQ 6.7.6 (a flow: 1 parent, 1,000 children)';
  if (!existsSync(REDIS_SERVER)) {
    return {
      ...peerRow(name, 'redis', Number.NaN, undefined, 'sqlite'),
      value: 'not run: no redis-server (apt-get install -y redis-server)',
    };
  }
  const port = await freePort();
  const redis = spawn(REDIS_SERVER, ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    await waitForRedis(port);
    const walls: number[] = [];
    for (let round = 0; round < rounds; round++) walls.push(await bullmqRound(port, round));
    return peerRow(name, 'redis', median(walls), tidemarkMs, 'sqlite');
  } finally {
    await stopProcess(redis);
  }
}

async function bullmqRound(port: number, round: number): Promise<number> {
  const { FlowProducer, Worker } = peerModule<BullMq>('bullmq');
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const queueName = `bench-${round}`;
  let finishedParent: () => void = () => {};
  const parentDone = new Promise<void>((resolve) => {
    finishedParent = resolve;
  });
  const worker = new Worker(
    queueName,
    async (job: { name: string }) => {
      if (job.name === 'parent') finishedParent();
    },
    { connection, concurrency: CONCURRENCY },
  );
  const flows = new FlowProducer({ connection });
  try {
    await worker.waitUntilReady();
    const started = performance.now();
    await flows.add({
      name: 'parent',
      queueName,
      children: Array.from({ length: JOBS }, (_, index) => ({ name: 'noop', queueName, data: { index } })),
    });
    await parentDone;
    return performance.now() - started;
  } finally {
    await worker.close();
    await flows.close();
  }
}

/** The little of graphile-worker's and BullMQ's APIs used here (their types live in bench/peers). */
interface GraphileWorker {
  run(options: {
    pgPool: pg.Pool;
    concurrency: number;
    noHandleSignals: boolean;
    pollInterval: number;
    logger: unknown;
    taskList: Record<string, () => Promise<void>>;
  }): Promise<{ stop(): Promise<void> }>;
  Logger: new (factory: () => () => void) => unknown;
}

interface BullMq {
  Worker: new (
    queue: string,
    process: (job: { name: string }) => Promise<void>,
    options: { connection: object; concurrency: number },
  ) => { waitUntilReady(): Promise<unknown>; close(): Promise<void> };
  FlowProducer: new (options: {
    connection: object;
  }) => { add(flow: object): Promise<unknown>; close(): Promise<void> };
}

function peerRow(
  peer: string,
  store: string,
  wallMs: number,
  tidemarkMs: number | undefined,
  tidemarkDialect: string,
): BenchRow {
  return {
    id: '5p',
    scenario: `peer anchor: 1,000 no-op jobs in ${peer}, in-process, concurrency ${CONCURRENCY}`,
    dialect: store,
    measure: 'seconds',
    value: `${(wallMs / 1000).toFixed(2)} s`,
    baseline:
      tidemarkMs === undefined
        ? 'Tidemark: run scenario 5 in the same run'
        : `Tidemark's 1,000 tasks ${(tidemarkMs / 1000).toFixed(1)} s (${tidemarkDialect})`,
    ratio: tidemarkMs === undefined ? '—' : `Tidemark ${(tidemarkMs / wallMs).toFixed(1)}× slower`,
    target: '— (anchor)',
    met: null,
  };
}

/** bench/peers is its own package; `npm ci` there the first time the scenario runs. */
function installPeers(): void {
  if (existsSync(join(PEERS, 'node_modules', 'graphile-worker')) && existsSync(join(PEERS, 'node_modules', 'bullmq'))) {
    return;
  }
  process.stderr.write('scenario 5p: installing the peers in bench/peers (npm ci)…\n');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEERS, stdio: 'inherit' });
}

function peerModule<T>(name: string): T {
  return createRequire(join(PEERS, 'package.json'))(name) as T;
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function waitForRedis(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}
