/**
 * The benchmark harness (issue 9): runs the scenarios, prints a markdown table of medians, p99 and
 * ratios against baselines measured in the same run, and writes it to bench/RESULTS.md with the
 * machine's description.
 *
 *   npm run bench -- [--dialect sqlite|postgres|both] [--quick] [--only 1,2,6|ui]   (--only: no RESULTS.md)
 *   npm run bench -- --only 1,2 --dialect postgres --durable-postgres   PostgreSQL with fsync on
 *   npm run bench -- --only 1m    scenario 1 with metrics on and off, and the overhead ratio
 *   npm run bench -- --only 11w   scenario 11's triggerer cost alone (11l: its resume latency alone)
 *   npm run bench -- --only 5p    peer anchors alone (graphile-worker, BullMQ; bench/peers)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectName } from '@tidemark/db';
import { startPostgresTestServer } from '@tidemark/db/testing';
import { type BenchRow, machineDescription, renderTable } from './harness/bench-results.ts';
import { databaseVersions } from './harness/database-versions.ts';
import { assetTriggerLatencyScenario } from './scenarios/asset-trigger-latency.ts';
import { checkpointOverheadScenario } from './scenarios/checkpoint-overhead.ts';
import { deferralLatencyScenario, deferralWaitingScenario } from './scenarios/deferral.ts';
import { largeTableScenario } from './scenarios/large-table.ts';
import { metricsOverheadScenario } from './scenarios/metrics-overhead.ts';
import { peerAnchorsScenario } from './scenarios/peer-anchors.ts';
import { runtimeOverheadScenario } from './scenarios/runtime-overhead.ts';
import type { Scenario } from './scenarios/scenario.ts';
import { stateApiScenarios } from './scenarios/state-api.ts';
import { stateFromTaskScenario } from './scenarios/state-from-task.ts';
import { stateGcScenario } from './scenarios/state-gc.ts';
import { uiPageLoadScenario } from './scenarios/ui-page-load.ts';
import { watcherScenario } from './scenarios/watcher-latency-and-cost.ts';

const SCENARIOS: readonly Scenario[] = [
  { ids: ['1', '2'], name: 'state API latency and throughput', perDialect: true, run: stateApiScenarios },
  { ids: ['1m'], name: 'scenario 1 with metrics on and off', perDialect: true, run: metricsOverheadScenario },
  { ids: ['3'], name: 'state set from task code', perDialect: true, run: stateFromTaskScenario },
  { ids: ['4'], name: 'checkpoint helper overhead', perDialect: false, run: checkpointOverheadScenario },
  { ids: ['5'], name: 'per-attempt overhead', perDialect: true, run: runtimeOverheadScenario },
  {
    ids: ['5', '5p'],
    name: 'peer anchors: 1,000 jobs in graphile-worker and BullMQ',
    perDialect: false,
    run: peerAnchorsScenario,
  },
  { ids: ['6'], name: 'get with a large task_state table', perDialect: true, run: largeTableScenario },
  { ids: ['7'], name: 'garbage collection with writers', perDialect: true, run: stateGcScenario },
  { ids: ['8'], name: 'asset event to consumer task', perDialect: true, run: assetTriggerLatencyScenario },
  { ids: ['9'], name: 'asset watchers on a triggerer', perDialect: true, run: watcherScenario },
  { ids: ['10', 'ui'], name: 'web UI page load, 200 tasks × 100 runs', perDialect: false, run: uiPageLoadScenario },
  { ids: ['11', '11l'], name: 'deferral: resume latency', perDialect: true, run: deferralLatencyScenario },
  {
    ids: ['11', '11w'],
    name: 'deferral: what 1,000 waits cost a triggerer',
    perDialect: true,
    run: deferralWaitingScenario,
  },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const index = args.indexOf(name);
    return index === -1 ? undefined : args[index + 1];
  };
  const quick = args.includes('--quick');
  const dialectOption = option('--dialect') ?? 'both';
  if (!['sqlite', 'postgres', 'both'].includes(dialectOption)) {
    throw new Error(`--dialect must be sqlite, postgres or both, not "${dialectOption}"`);
  }
  const dialects: DialectName[] = dialectOption === 'both' ? ['sqlite', 'postgres'] : [dialectOption as DialectName];
  const only = option('--only')?.split(',');
  // --durable-postgres: fsync and synchronous_commit on (production settings) instead of the test server's off.
  const durable = args.includes('--durable-postgres');
  const postgres = dialects.includes('postgres')
    ? await startPostgresTestServer(undefined, { durable, autovacuum: true })
    : undefined;
  const started = Date.now();
  const rows: BenchRow[] = [];
  const shared = new Map<string, number>();
  try {
    for (const scenario of SCENARIOS) {
      if (only && !scenario.ids.some((id) => only.includes(id))) continue;
      for (const dialect of scenario.perDialect ? dialects : [dialects[0] as DialectName]) {
        process.stderr.write(`scenario ${scenario.ids.join('+')} (${scenario.name}) on ${dialect}…\n`);
        rows.push(...(await scenario.run(dialect, { postgresUrl: postgres?.url, quick, shared })));
      }
    }
    const versions = await databaseVersions(postgres?.url);
    const table = renderTable(rows);
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const report = [
      '# Benchmark results',
      '',
      `Machine: ${machineDescription(versions)}.`,
      `Run: ${new Date().toISOString()}, ${quick ? '`--quick`' : 'full'}, dialects ${dialects.join(', ')}${durable ? ' (PostgreSQL durable: fsync, synchronous_commit on)' : ''}, ${minutes} min.`,
      '',
      table,
      '',
    ].join('\n');
    process.stdout.write(`${report}\n`);
    // A partial run (--only) prints its rows but leaves the last full table in place.
    if (!only) writeFileSync(join(import.meta.dirname, 'RESULTS.md'), report);
  } finally {
    postgres?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
