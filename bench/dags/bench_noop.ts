import { dag } from '@tidemark/sdk';

/**
 * No-op tasks that report when their function ran, so the benchmark can split the overhead.
 * In a chain each task is queued only when the one before it succeeded, so nothing waits for a
 * free slot and every millisecond between "queued" and "function entered" is overhead.
 */
function noopDag(dagId: string, tasks: number, chained: boolean) {
  const noop = dag(dagId, { defaults: { retries: 0 } });
  let previous: ReturnType<typeof noop.task> | undefined;
  for (let i = 0; i < tasks; i++) {
    const task = noop.task(`noop_${String(i).padStart(4, '0')}`, async () => ({
      enteredAt: Date.now(),
      leftAt: Date.now(),
    }));
    if (chained) previous?.then(task);
    previous = task;
  }
  return noop;
}

export const benchChain200 = noopDag('bench_noop_chain_200', 200, true);
export const bench1000 = noopDag('bench_noop_1000', 1_000, false);
