import type { LoadResult, LoadSpec } from './load-client.ts';
import { runLoad } from './run-load.ts';

/**
 * Runs several loads in alternating rounds (A, B, C, A, B, C, …) and returns each one's results
 * merged, so that a drift of the machine during the run (seen on this VM: a WAL flush taking 0.1 ms
 * for a while, then 0.3 ms) lands on every load alike instead of on whichever ran during it.
 *
 * Each spec is one round's load; its `warmup` applies to every round (each round is a fresh client
 * process), `firstWarmup` additionally to the first round, before the server's hot path is optimized.
 */
export async function runAlternatingLoads(
  specs: readonly LoadSpec[],
  options: { readonly rounds: number; readonly firstWarmup?: number },
): Promise<LoadResult[]> {
  const merged: LoadResult[] = specs.map(() => ({ latenciesMs: [], completed: 0, errors: 0, elapsedMs: 0 }));
  for (let round = 0; round < options.rounds; round++) {
    for (const [index, spec] of specs.entries()) {
      const warmup = (spec.warmup ?? 0) + (round === 0 ? (options.firstWarmup ?? 0) : 0);
      const result = await runLoad({ ...spec, warmup });
      const sum = merged[index] as LoadResult;
      merged[index] = {
        latenciesMs: sum.latenciesMs.concat(result.latenciesMs),
        completed: sum.completed + result.completed,
        errors: sum.errors + result.errors,
        elapsedMs: sum.elapsedMs + result.elapsedMs,
      };
    }
  }
  return merged;
}
