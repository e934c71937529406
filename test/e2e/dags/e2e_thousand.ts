import { dag } from '@tidemark/sdk';

/** 1,000 independent no-op tasks, for the two-scheduler test and the overhead benchmark. */
const thousand = dag('e2e_thousand', { defaults: { retries: 0 } });
for (let i = 0; i < 1_000; i++) thousand.task(`noop_${String(i).padStart(4, '0')}`, async () => i);
export default thousand;
