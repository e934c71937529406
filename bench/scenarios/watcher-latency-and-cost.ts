/**
 * Scenario 9: asset watchers on a triggerer (SPEC §15.3), with real processes (api-server,
 * scheduler, worker, triggerer).
 *
 * 9a. From a file landing in a watched folder to the first task of the run its event triggers
 *     running (its TI's start) — the watcher polls every 200 ms. Baseline from the same run: an
 *     asset event recorded straight in the database to the same kind of task running (scenario 8's
 *     path without the watcher).
 * 9b. The triggerer's CPU (process and its watcher process) with 200 idle watchers polling every
 *     second, each reading its cursor, as a share of one core; baseline: the same triggerer with no
 *     watcher leased yet, over the same window.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectName } from '@tidemark/db';
import { findAssetId, inWriteTransaction, recordAssetEvent } from '@tidemark/db';
import { waitUntil } from '@tidemark/db/testing';
import { type BenchRow, ms, ratio } from '../harness/bench-results.ts';
import { type ClusterWorld, openClusterWorld } from '../harness/cluster-world.ts';
import { measureProcessTree } from '../harness/process-usage.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const WATCHER_DAGS = join(import.meta.dirname, '..', 'dags-watchers');
const IDLE_WATCHERS = 200;
const DAG_ID = 'bench_on_landing';

export async function watcherScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const samples = options.quick ? 5 : 30;
  const windowMs = options.quick ? 5_000 : 20_000;
  const world = await openClusterWorld(dialect, {
    postgresUrl: options.postgresUrl,
    dagsFolder: WATCHER_DAGS,
    env: { BENCH_IDLE_WATCHERS: String(IDLE_WATCHERS), TIDEMARK_TRIGGERER__LEASE_TIMEOUT: '10s' },
  });
  try {
    const landing = join(world.home, 'landing');
    mkdirSync(landing, { recursive: true });
    await world.start('api-server');
    const triggerer = await world.start('triggerer');
    const idle = await measureProcessTree(triggerer.pid as number, windowMs);

    await world.start('scheduler');
    await world.start('worker');
    await waitUntil(
      async () => {
        const row = await world.database.db
          .selectFrom('asset_watcher')
          .select((eb) => eb.fn.countAll<number>().as('polled'))
          .where('last_poll_at', 'is not', null)
          .executeTakeFirst();
        return Number(row?.polled ?? 0) >= IDLE_WATCHERS + 1;
      },
      `all ${IDLE_WATCHERS + 1} watchers to be leased and polled`,
      180_000,
      500,
    );
    const busy = await measureProcessTree(triggerer.pid as number, windowMs);

    const fileToRunning = await landingLatencies(world, landing, samples);
    const directToRunning = await directEventLatencies(world, samples);
    const p50 = median(fileToRunning);
    return [
      {
        id: '9',
        scenario: 'file lands → run’s first task running (watcher every 200 ms)',
        dialect,
        measure: 'p50 / p99',
        value: `${ms(p50)} / ${ms(percentile(fileToRunning, 99))}`,
        baseline: `event recorded → task running ${ms(median(directToRunning))}`,
        ratio: ratio(p50, median(directToRunning)),
        target: 'p50 ≤ 1.5 s',
        met: p50 <= 1_500,
      },
      {
        id: '9',
        scenario: `triggerer CPU with ${IDLE_WATCHERS} idle watchers polling every 1 s`,
        dialect,
        measure: 'share of one core / peak RSS',
        value: `${percent(busy.coreShare)} / ${mb(busy.peakRssBytes)}`,
        baseline: `no watchers ${percent(idle.coreShare)} / ${mb(idle.peakRssBytes)}`,
        ratio: '—',
        target: '≤ 10 % of a core',
        met: busy.coreShare <= 0.1,
      },
    ];
  } finally {
    await world.close();
  }
}

async function landingLatencies(world: ClusterWorld, folder: string, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < samples; index++) {
    const name = `${String(index).padStart(4, '0')}.csv`;
    const landedAt = Date.now();
    writeFileSync(join(folder, name), 'x\n');
    const startDate = await waitUntil(
      async () => {
        const row = await world.database.db
          .selectFrom('task_instance')
          .select('start_date')
          .where('dag_id', '=', DAG_ID)
          .where('state', '=', 'success')
          .orderBy('id', 'desc')
          .executeTakeFirst();
        const runs = await world.database.db
          .selectFrom('dag_run')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('dag_id', '=', DAG_ID)
          .where('state', '=', 'success')
          .executeTakeFirst();
        return Number(runs?.count ?? 0) >= index + 1 && row ? Number(row.start_date) : undefined;
      },
      `the run for ${name} to succeed`,
      60_000,
      20,
    );
    latencies.push(startDate - landedAt);
  }
  return latencies;
}

async function directEventLatencies(world: ClusterWorld, samples: number): Promise<number[]> {
  const assetId = await waitUntil(
    () => findAssetId(world.database.db, { name: 'bench_landing' }),
    'asset bench_landing',
    60_000,
  );
  const before = await successfulRuns(world);
  const latencies: number[] = [];
  for (let index = 0; index < samples; index++) {
    const emittedAt = Date.now();
    await inWriteTransaction(world.database, (trx) =>
      recordAssetEvent(trx, { assetId, source: { kind: 'api', user: 'bench' } }, emittedAt),
    );
    const startDate = await waitUntil(
      async () => {
        if ((await successfulRuns(world)) < before + index + 1) return undefined;
        const row = await world.database.db
          .selectFrom('task_instance')
          .select('start_date')
          .where('dag_id', '=', DAG_ID)
          .orderBy('id', 'desc')
          .executeTakeFirst();
        return row ? Number(row.start_date) : undefined;
      },
      'the directly triggered run to succeed',
      60_000,
      20,
    );
    latencies.push(startDate - emittedAt);
  }
  return latencies;
}

async function successfulRuns(world: ClusterWorld): Promise<number> {
  const row = await world.database.db
    .selectFrom('dag_run')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('dag_id', '=', DAG_ID)
    .where('state', '=', 'success')
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;
