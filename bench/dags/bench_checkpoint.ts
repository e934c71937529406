import { hash } from 'node:crypto';
import { checkpoint, dag, type TaskContext } from '@tidemark/sdk';

/**
 * For scenario 4 of the bench harness (bench/scenarios/checkpoint-overhead.ts): in one task
 * attempt (real task process, supervisor, execution API, database), the same CPU-bound items as a bare loop, through `checkpoint`, and with one
 * plain `set` per item, interleaved so that all of them see the same (busy) machine. The loops
 * also run once more with no work at all: what is left is the loop's own cost per item.
 */
interface BenchConf {
  items: number;
  reps: number;
  setPerItemItems: number;
  targetUs: number;
}

interface Mode {
  readonly name: string;
  run(ctx: TaskContext, ids: readonly string[], key: string, work: () => void): Promise<void>;
}

const MODES: readonly Mode[] = [
  {
    name: 'bare',
    async run(_ctx, ids, _key, work) {
      for (const _id of ids) work();
    },
  },
  {
    name: 'checkpoint_items_100_ms_2000',
    async run(ctx, ids, key, work) {
      const cp = checkpoint(ctx, { key: `${key}-items`, every: { items: 100, ms: 2_000 } });
      for await (const _id of cp.over(ids)) work();
    },
  },
  {
    name: 'checkpoint_ms_1000',
    async run(ctx, ids, key, work) {
      const cp = checkpoint(ctx, { key: `${key}-ms`, every: { ms: 1_000 } });
      for await (const _id of cp.over(ids)) work();
    },
  },
];

/** A short sha256 chain; `rounds` is calibrated so that one call takes about `targetUs`. */
function hashChain(rounds: number): () => void {
  let digest = Buffer.from('tidemark');
  return () => {
    for (let i = 0; i < rounds; i++) digest = hash('sha256', digest, 'buffer');
  };
}

/** The median of several samples, so that one burst of load on the machine does not set it. */
function calibrate(targetUs: number): number {
  const probe = hashChain(10);
  for (let i = 0; i < 2_000; i++) probe();
  const roundUs: number[] = [];
  for (let sample = 0; sample < 21; sample++) {
    const started = performance.now();
    for (let i = 0; i < 200; i++) probe();
    roundUs.push(((performance.now() - started) * 1000) / 200 / 10);
  }
  roundUs.sort((a, b) => a - b);
  return Math.max(1, Math.round(targetUs / (roundUs[10] as number)));
}

type Samples = Record<string, number[]>;

function add(samples: Samples, name: string, value: number): void {
  samples[name] = [...(samples[name] ?? []), value];
}

const bench = dag('bench_checkpoint_overhead', { defaults: { retries: 0 } });
bench.task('measure', async (ctx) => {
  const conf = ctx.conf as unknown as BenchConf;
  const rounds = calibrate(conf.targetUs);
  const work = hashChain(rounds);
  const ids = Array.from({ length: conf.items }, (_, i) => `item-${String(i).padStart(7, '0')}`);
  const wallUs: Samples = {};
  const cpuUs: Samples = {};
  const noWorkUs: Samples = {};
  const measure = async (samples: Samples[], name: string, count: number, loop: () => Promise<void>) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await loop();
    const wall = ((performance.now() - started) * 1000) / count;
    const used = process.cpuUsage(cpu);
    add(samples[0] as Samples, name, wall);
    if (samples[1]) add(samples[1], name, (used.user + used.system) / count);
  };
  for (let rep = 0; rep < conf.reps; rep++) {
    // Each repetition starts with another mode, so that none always runs first.
    for (let m = 0; m < MODES.length; m++) {
      const mode = MODES[(rep + m) % MODES.length] as Mode;
      await measure([wallUs, cpuUs], mode.name, ids.length, () => mode.run(ctx, ids, `work-${rep}`, work));
      await measure([noWorkUs], mode.name, ids.length, () => mode.run(ctx, ids, `nowork-${rep}`, () => {}));
    }
  }
  const few = ids.slice(0, conf.setPerItemItems);
  await measure([wallUs, cpuUs], 'set_per_item', few.length, async () => {
    for (const [index, id] of few.entries()) {
      work();
      await ctx.taskState.set('progress', { done: index + 1, last: id });
    }
  });
  await measure([noWorkUs], 'set_per_item', few.length, async () => {
    for (const [index, id] of few.entries()) await ctx.taskState.set('progress', { done: index + 1, last: id });
  });
  return { rounds, wallUs, cpuUs, noWorkUs };
});

export default bench;
