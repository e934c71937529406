/**
 * Scenario 3: one `ctx.taskState.set` from task code, through the task process's IPC to its
 * supervisor, the execution API and the database, compared with scenario 1's `set` over HTTP.
 * Measured twice: with the api-server, scheduler and worker as separate processes (as scenario 1's
 * api-server runs in a process of its own), and in `tidemark standalone`, where one event loop runs
 * the supervisor's request and the api-server's answer to it.
 */
import type { JsonValue } from '@tidemark/core';
import type { DialectName } from '@tidemark/db';
import { type BenchRow, ms, ratio } from '../harness/bench-results.ts';
import { openClusterWorld } from '../harness/cluster-world.ts';
import { type FinishedRun, runDagToSuccess, waitForParsedDags } from '../harness/dag-runs.ts';
import { BENCH_DAGS, openStandaloneWorld } from '../harness/standalone-world.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const DAG_ID = 'bench_state_set';

/**
 * Sets made first and not measured: scenario 1 warms its servers up with 3,000 requests (a fresh
 * process runs its first few thousand before V8 has optimized the hot path), so this path does too.
 */
const WARMUP_SETS = 3_000;

type Topology = 'separate processes' | 'standalone';

export async function stateFromTaskScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const measured = options.quick ? 300 : 2_000;
  const warmup = options.quick ? 200 : WARMUP_SETS;
  const conf = { count: warmup + measured };
  const rows: BenchRow[] = [];
  for (const topology of ['separate processes', 'standalone'] as const) {
    const run = await runSets(topology, dialect, options, conf);
    const latencies = ((run.tis[0]?.returnValue ?? []) as number[]).slice(warmup);
    rows.push(row(topology, dialect, latencies, options.shared.get(`set_p50:${dialect}`)));
  }
  return rows;
}

async function runSets(
  topology: Topology,
  dialect: DialectName,
  options: ScenarioOptions,
  conf: Record<string, JsonValue>,
): Promise<FinishedRun> {
  if (topology === 'standalone') {
    const world = await openStandaloneWorld(dialect, { postgresUrl: options.postgresUrl, dags: [DAG_ID] });
    try {
      return await world.runDag(DAG_ID, conf);
    } finally {
      await world.close();
    }
  }
  const world = await openClusterWorld(dialect, { postgresUrl: options.postgresUrl, dagsFolder: BENCH_DAGS });
  try {
    await world.start('api-server');
    await world.start('scheduler');
    await world.start('worker');
    await waitForParsedDags(world.database, [DAG_ID]);
    return await runDagToSuccess(world.database, { dagId: DAG_ID, runId: 'bench-1', conf }, world.home);
  } finally {
    await world.close();
  }
}

function row(topology: Topology, dialect: DialectName, latencies: number[], viaHttp: number | undefined): BenchRow {
  const p50 = median(latencies);
  return {
    id: '3',
    scenario: `\`ctx.taskState.set\` from task code (${topology})`,
    dialect,
    measure: 'p50 / p99',
    value: `${ms(p50)} / ${ms(percentile(latencies, 99))}`,
    baseline: viaHttp === undefined ? 'scenario 1 not run' : `scenario 1 set ${ms(viaHttp)}`,
    ratio: viaHttp === undefined ? '—' : ratio(p50, viaHttp),
    target: '≤ 2× scenario 1',
    met: viaHttp === undefined ? null : p50 <= 2 * viaHttp,
  };
}
