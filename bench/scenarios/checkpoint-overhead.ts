/**
 * Scenario 4: the `checkpoint` helper over 100,000 items of ~100 µs CPU work each (a calibrated
 * sha256 chain), against the same bare loop and against one plain `ctx.taskState.set` per item (the
 * Airflow way), all inside one real task attempt (task process → supervisor → execution API →
 * database). The loops run interleaved, in rotated order, several times (bench/dags/bench_checkpoint.ts);
 * "vs. bare" is the median of each repetition's ratio to the bare loop of the same repetition. The
 * same loops with no work give the helper's own cost per item, which load disturbs far less.
 */
import type { DialectName } from '@tidemark/db';
import type { BenchRow } from '../harness/bench-results.ts';
import { openStandaloneWorld } from '../harness/standalone-world.ts';
import { median } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const DAG_ID = 'bench_checkpoint_overhead';
const TARGET_US = 100;

interface CheckpointResults {
  readonly rounds: number;
  readonly wallUs: Record<string, number[]>;
  readonly cpuUs: Record<string, number[]>;
  readonly noWorkUs: Record<string, number[]>;
}

const LOOPS = [
  ['checkpoint_ms_1000', '`checkpoint`, every `{ms: 1000}`'],
  ['checkpoint_items_100_ms_2000', '`checkpoint`, every `{items: 100, ms: 2000}`'],
  ['set_per_item', 'one `set` per item'],
] as const;

export async function checkpointOverheadScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const conf = options.quick
    ? { items: 20_000, reps: 3, setPerItemItems: 1_000, targetUs: TARGET_US }
    : { items: 100_000, reps: 5, setPerItemItems: 3_000, targetUs: TARGET_US };
  const world = await openStandaloneWorld(dialect, { postgresUrl: options.postgresUrl, dags: [DAG_ID] });
  try {
    const { tis } = await world.runDag(DAG_ID, conf);
    const results = tis[0]?.returnValue as unknown as CheckpointResults;
    const bareWall = median(results.wallUs.bare ?? []);
    const bareNoWork = median(results.noWorkUs.bare ?? []);
    return LOOPS.map(([name, label]) => {
      const ratio = pairedRatio(results.wallUs, name);
      const ownCost = median(results.noWorkUs[name] ?? []) - bareNoWork;
      const isHelper = name !== 'set_per_item';
      return {
        id: '4',
        scenario: `${label}, ${conf.items.toLocaleString('en-US')} items × ~${TARGET_US} µs`,
        dialect,
        measure: 'wall per item (own cost, no work)',
        value: `${median(results.wallUs[name] ?? []).toFixed(1)} µs (${ownCost.toFixed(2)} µs)`,
        baseline: `bare loop ${bareWall.toFixed(1)} µs`,
        ratio: `${ratio.toFixed(3)}× (own cost ${((ownCost / TARGET_US) * 100).toFixed(2)} %)`,
        target: isHelper ? '≤ 3 % over the bare loop' : '—',
        met: isHelper ? ratio <= 1.03 : null,
      };
    });
  } finally {
    await world.close();
  }
}

/** Median over repetitions of a loop's figure / the bare loop's in the same repetition. */
function pairedRatio(samples: Record<string, number[]>, name: string): number {
  const bare = samples.bare ?? [];
  const values = samples[name] ?? [];
  const ratios =
    values.length === bare.length
      ? values.map((value, rep) => value / (bare[rep] as number))
      : values.map((value) => value / median(bare));
  return median(ratios);
}
