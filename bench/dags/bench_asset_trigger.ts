import { asset, dag } from '@tidemark/sdk';

/** Scenario 8: a DAG scheduled on `bench_signal`; its one task reports when its function ran. */
const signal = asset('bench_signal');

export const benchOnAsset = dag('bench_on_asset', { schedule: signal, defaults: { retries: 0 } });
benchOnAsset.task('react', async () => ({ enteredAt: Date.now() }));
