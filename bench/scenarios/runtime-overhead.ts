/**
 * Scenario 5: the runtime's per-attempt overhead, end to end with real processes:
 *   start overhead = task function entered − TI queued by the scheduler
 *   end overhead   = success recorded − task function returned
 * over a chain of 200 no-op tasks (each queued when the one before succeeded, so none waits for a
 * slot), and the wall time of a 1,000-no-op-task DAG. Baseline from the same run: starting a bare
 * `node --import tsx/esm` process, the floor of a fresh task process (a reused one, the default
 * since issue 18, skips it: worker.max_attempts_per_process).
 */
import { execFileSync } from 'node:child_process';
import type { DialectName } from '@tidemark/db';
import { type BenchRow, ms, ratio } from '../harness/bench-results.ts';
import { openClusterWorld } from '../harness/cluster-world.ts';
import { type FinishedTaskInstance, runDagToSuccess, waitForParsedDags } from '../harness/dag-runs.ts';
import { BENCH_DAGS, openStandaloneWorld } from '../harness/standalone-world.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

export async function runtimeOverheadScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const baseline = bareProcessStarts(options.quick ? 5 : 15);
  const rows: BenchRow[] = [];
  const world = await openStandaloneWorld(dialect, {
    postgresUrl: options.postgresUrl,
    dags: ['bench_noop_chain_200', 'bench_noop_1000'],
  });
  try {
    const chain = await world.runDag('bench_noop_chain_200');
    const tis = (options.quick ? chain.tis.slice(0, 50) : chain.tis).map(timings);
    const overhead = tis.map((ti) => ti.enteredAt - ti.queuedAt + ti.endDate - ti.leftAt);
    const claim = tis.map((ti) => ti.startDate - ti.queuedAt);
    const spawnToEnter = tis.map((ti) => ti.enteredAt - ti.startDate);
    const finish = tis.map((ti) => ti.endDate - ti.leftAt);
    const p50 = median(overhead);
    rows.push(
      {
        id: '5',
        scenario: 'per-attempt overhead (chain of 200 no-op tasks)',
        dialect,
        measure: 'p50 / p99',
        value: `${ms(p50)} / ${ms(percentile(overhead, 99))}`,
        baseline: `bare \`node --import tsx/esm\` start ${ms(median(baseline))}`,
        ratio: ratio(p50, median(baseline)),
        target: 'p50 ≤ 50 ms',
        met: p50 <= 50,
      },
      {
        id: '5',
        scenario: '… of which queued → claimed / claimed → entered / returned → recorded',
        dialect,
        measure: 'p50',
        value: `${ms(median(claim))} / ${ms(median(spawnToEnter))} / ${ms(median(finish))}`,
        baseline: '—',
        ratio: '—',
        target: '—',
        met: null,
      },
    );
    if (!options.quick) {
      const wide = await world.runDag('bench_noop_1000');
      options.shared.set(`noop_1000_ms:${dialect}`, wide.wallMs);
      rows.push({
        id: '5',
        scenario: '1,000 no-op tasks in one DAG, wall time',
        dialect,
        measure: 'seconds',
        value: `${(wide.wallMs / 1000).toFixed(1)} s`,
        baseline: '—',
        ratio: '—',
        target: '≤ 20 s',
        met: wide.wallMs <= 20_000,
      });
    }
  } finally {
    await world.close();
  }
  if (!options.quick) rows.push(await clusterThousandRow(dialect, options));
  return rows;
}

/**
 * The same 1,000-task DAG with the api-server, a scheduler and a worker as separate processes, as a
 * deployment runs them: every claim, start and finish crosses HTTP and the worker's and scheduler's
 * database reads are their own.
 */
async function clusterThousandRow(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow> {
  const cluster = await openClusterWorld(dialect, { postgresUrl: options.postgresUrl, dagsFolder: BENCH_DAGS });
  try {
    await cluster.start('api-server');
    await cluster.start('scheduler');
    await cluster.start('worker');
    await waitForParsedDags(cluster.database, ['bench_noop_1000']);
    const run = { dagId: 'bench_noop_1000', runId: 'bench-cluster-1', conf: {} };
    const { wallMs } = await runDagToSuccess(cluster.database, run, `${cluster.home}/logs`);
    return {
      id: '5',
      scenario: '1,000 no-op tasks in one DAG, api-server + scheduler + worker as processes',
      dialect,
      measure: 'seconds',
      value: `${(wallMs / 1000).toFixed(1)} s`,
      baseline: '—',
      ratio: '—',
      target: '≤ 20 s',
      met: wallMs <= 20_000,
    };
  } finally {
    await cluster.close();
  }
}

function timings(ti: FinishedTaskInstance) {
  const { enteredAt, leftAt } = ti.returnValue as { enteredAt: number; leftAt: number };
  return { ...ti, enteredAt, leftAt };
}

function bareProcessStarts(count: number): number[] {
  return Array.from({ length: count }, () => {
    const started = performance.now();
    execFileSync(process.execPath, ['--import', 'tsx/esm', '-e', '0']);
    return performance.now() - started;
  });
}
