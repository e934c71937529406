/**
 * Scenario 1m: what metrics cost on scenario 1. Two real api-servers side by side, one with metrics
 * on (the default) and one with `metrics.enabled = false`, each on its own fresh database; task-state
 * `set` and `get` latency through the execution API, measured in alternating rounds so that drift of
 * the machine hits both alike. The ratio of the p50s is the overhead (target ≤ 5 %).
 *
 *   npm run bench -- --only 1m [--dialect sqlite|postgres|both] [--quick]
 */
import type { DialectName } from '@tidemark/db';
import { type BenchRow, ms } from '../harness/bench-results.ts';
import { type BenchWorld, openBenchWorld } from '../harness/bench-world.ts';
import { runLoad } from '../harness/run-load.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const ROUNDS = 6;

export async function metricsOverheadScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const perRound = options.quick ? 300 : 1_000;
  const on = await openBenchWorld(dialect, { postgresUrl: options.postgresUrl, tasks: 1 });
  const off = await openBenchWorld(dialect, {
    postgresUrl: options.postgresUrl,
    tasks: 1,
    env: { TIDEMARK_METRICS__ENABLED: 'false' },
  });
  try {
    await assertMetricsServed(on, true);
    await assertMetricsServed(off, false);
    const samples = {
      on: { set: [] as number[], get: [] as number[] },
      off: { set: [] as number[], get: [] as number[] },
    };
    for (let round = 0; round < (options.quick ? 2 : ROUNDS); round++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const which of order) {
        const world = which === 'on' ? on : off;
        samples[which].set.push(...(await latencies(world, 'PUT', perRound)));
        samples[which].get.push(...(await latencies(world, 'GET', perRound)));
      }
    }
    return (['set', 'get'] as const).map((operation) => {
      const withMetrics = median(samples.on[operation]);
      const without = median(samples.off[operation]);
      const overhead = (withMetrics / without - 1) * 100;
      return {
        id: '1m',
        scenario: `state \`${operation}\` via execution API, metrics on vs off`,
        dialect,
        measure: 'p50 / p99 (metrics on)',
        value: `${ms(withMetrics)} / ${ms(percentile(samples.on[operation], 99))}`,
        baseline: `metrics off ${ms(without)} / ${ms(percentile(samples.off[operation], 99))}`,
        ratio: `${(withMetrics / without).toFixed(3)}× (${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} %)`,
        target: 'p50 overhead ≤ 5 %',
        met: overhead <= 5,
      };
    });
  } finally {
    await on.close();
    await off.close();
  }
}

async function latencies(world: BenchWorld, method: 'PUT' | 'GET', count: number): Promise<number[]> {
  const attempt = world.attempts[0];
  if (!attempt) throw new Error('no attempt');
  const result = await runLoad({
    origin: world.origin,
    mode: 'latency',
    templates: [
      {
        method,
        path: `/execution/store/ti/${attempt.tiId}/cursor`,
        token: attempt.token,
        ...(method === 'PUT' ? { body: '{"value":{"page":{i},"cursor":"2026-01-01T00:00:00Z"}}' } : {}),
      },
    ],
    count,
    warmup: Math.min(200, count / 5),
  });
  return result.latenciesMs;
}

/** The comparison means something only if one server records and the other does not. */
async function assertMetricsServed(world: BenchWorld, expected: boolean): Promise<void> {
  const response = await fetch(`${world.origin}/metrics`);
  if ((response.status === 200) !== expected) {
    throw new Error(`GET /metrics answered ${response.status}; expected metrics ${expected ? 'on' : 'off'}`);
  }
}
