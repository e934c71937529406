/**
 * Scenario 3: one `ctx.taskState.set` from task code, through the task process's IPC to its
 * supervisor, the execution API and the database, compared with scenario 1's `set` over HTTP.
 */
import type { DialectName } from '@tidemark/db';
import { type BenchRow, ms, ratio } from '../harness/bench-results.ts';
import { openStandaloneWorld } from '../harness/standalone-world.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

export async function stateFromTaskScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const world = await openStandaloneWorld(dialect, { postgresUrl: options.postgresUrl, dags: ['bench_state_set'] });
  try {
    const { tis } = await world.runDag('bench_state_set', { count: options.quick ? 300 : 2_000 });
    const latencies = (tis[0]?.returnValue ?? []) as number[];
    const p50 = median(latencies);
    const viaHttp = options.shared.get(`set_p50:${dialect}`);
    return [
      {
        id: '3',
        scenario: '`ctx.taskState.set` from task code',
        dialect,
        measure: 'p50 / p99',
        value: `${ms(p50)} / ${ms(percentile(latencies, 99))}`,
        baseline: viaHttp === undefined ? 'scenario 1 not run' : `scenario 1 set ${ms(viaHttp)}`,
        ratio: viaHttp === undefined ? '—' : ratio(p50, viaHttp),
        target: '≤ 2× scenario 1',
        met: viaHttp === undefined ? null : p50 <= 2 * viaHttp,
      },
    ];
  } finally {
    await world.close();
  }
}
