import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DagDefinitionError } from '../errors.ts';
import { asset } from './asset.ts';
import { Dag, dag, isDag } from './dag.ts';

function definitionError(define: () => unknown): DagDefinitionError {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(DagDefinitionError);
    expect((error as DagDefinitionError).code).toBe('dag_definition_error');
    return error as DagDefinitionError;
  }
  throw new Error('expected a DagDefinitionError, nothing was thrown');
}

/** The line of the caller, read from the stack independently of the code under test. */
function lineOfThisCall(): number {
  const callerFrame = new Error().stack?.split('\n')[2] ?? '';
  return Number(/:(\d+):\d+\)?$/.exec(callerFrame)?.[1]);
}

describe('dag serialization', () => {
  it('serializes the example DAG: order, dependencies, mapping, policies and assets', () => {
    const orders = asset('orders', { uri: 's3://data/orders' });
    const customers = asset('customers');
    const hello = dag('example_hello', {
      schedule: '@daily',
      startDate: '2026-01-01',
      catchup: false,
      description: 'says hello',
      tags: ['example'],
      defaults: {
        retries: 1,
        retryDelay: '5s',
        retryExponentialBackoff: false,
        maxRetryDelay: '1h',
        executionTimeout: '10m',
      },
    });
    const extract = hello.task('extract', async () => [1, 2, 3, 4, 5]);
    const square = hello.map('square', extract, async (_ctx, n) => n * n, { retries: 2 });
    const report = hello.task('report', async () => 0, {
      outlets: [orders],
      inlets: [customers],
      executionTimeout: 30_000,
    });
    square.then(report);

    expect(hello.serialize('hello/example_hello.ts')).toEqual({
      dagId: 'example_hello',
      fileloc: 'hello/example_hello.ts',
      schedule: '@daily',
      assetCondition: null,
      startDate: Date.UTC(2026, 0, 1),
      catchup: false,
      description: 'says hello',
      tags: ['example'],
      tasks: [
        {
          taskId: 'extract',
          upstreamTaskIds: [],
          mapOver: null,
          retries: 1,
          retryDelayMs: 5_000,
          retryExponentialBackoff: false,
          maxRetryDelayMs: 3_600_000,
          executionTimeoutMs: 600_000,
          inlets: [],
          outlets: [],
        },
        {
          taskId: 'square',
          upstreamTaskIds: ['extract'],
          mapOver: 'extract',
          retries: 2,
          retryDelayMs: 5_000,
          retryExponentialBackoff: false,
          maxRetryDelayMs: 3_600_000,
          executionTimeoutMs: 600_000,
          inlets: [],
          outlets: [],
        },
        {
          taskId: 'report',
          upstreamTaskIds: ['square'],
          mapOver: null,
          retries: 1,
          retryDelayMs: 5_000,
          retryExponentialBackoff: false,
          maxRetryDelayMs: 3_600_000,
          executionTimeoutMs: 30_000,
          inlets: [{ name: 'customers', uri: 'customers' }],
          outlets: [{ name: 'orders', uri: 's3://data/orders' }],
        },
      ],
    });
  });

  it('uses the defaults when nothing is given', () => {
    const bare = dag('bare');
    bare.task('only', () => undefined);
    expect(bare.serialize('bare.ts')).toEqual({
      dagId: 'bare',
      fileloc: 'bare.ts',
      schedule: null,
      assetCondition: null,
      startDate: null,
      catchup: false,
      description: null,
      tags: [],
      tasks: [
        {
          taskId: 'only',
          upstreamTaskIds: [],
          mapOver: null,
          retries: 0,
          retryDelayMs: 300_000,
          retryExponentialBackoff: false,
          maxRetryDelayMs: null,
          executionTimeoutMs: null,
          inlets: [],
          outlets: [],
        },
      ],
    });
  });

  it('reads numbers as milliseconds and strings as durations, and lets a task clear a default with null', () => {
    const timed = dag('timed', { defaults: { retryDelay: 1500, maxRetryDelay: '1h30m', executionTimeout: '2s' } });
    timed.task('inherits', () => 1);
    timed.task('overrides', () => 1, {
      retryDelay: '500ms',
      retryExponentialBackoff: true,
      maxRetryDelay: null,
      executionTimeout: null,
    });
    timed.task('zero_delay', () => 1, { retryDelay: '0', maxRetryDelay: 0 });
    const policies = timed
      .serialize('timed.ts')
      .tasks.map(({ taskId, retryDelayMs, retryExponentialBackoff, maxRetryDelayMs, executionTimeoutMs }) => ({
        taskId,
        retryDelayMs,
        retryExponentialBackoff,
        maxRetryDelayMs,
        executionTimeoutMs,
      }));
    expect(policies).toEqual([
      {
        taskId: 'inherits',
        retryDelayMs: 1_500,
        retryExponentialBackoff: false,
        maxRetryDelayMs: 5_400_000,
        executionTimeoutMs: 2_000,
      },
      {
        taskId: 'overrides',
        retryDelayMs: 500,
        retryExponentialBackoff: true,
        maxRetryDelayMs: null,
        executionTimeoutMs: null,
      },
      {
        taskId: 'zero_delay',
        retryDelayMs: 0,
        retryExponentialBackoff: false,
        maxRetryDelayMs: 0,
        executionTimeoutMs: 2_000,
      },
    ]);
  });

  it('orders tasks after their upstream tasks, taking the first-defined ready task first', () => {
    const graph = dag('graph');
    const load = graph.task('load', () => 1);
    const transformB = graph.task('transform_b', () => 1);
    const transformA = graph.task('transform_a', () => 1);
    const extract = graph.task('extract', () => 1);
    graph.task('audit', () => 1);
    extract.then([transformA, transformB]);
    transformA.then(load);
    transformB.then(load);
    const serialized = graph.serialize('graph.ts');
    expect(serialized.tasks.map((task) => task.taskId)).toEqual([
      'extract',
      'transform_b',
      'transform_a',
      'load',
      'audit',
    ]);
    expect(serialized.tasks.find((task) => task.taskId === 'load')?.upstreamTaskIds).toEqual([
      'transform_b',
      'transform_a',
    ]);
  });

  it('returns the argument of then, so dependencies chain and fan out', () => {
    const chain = dag('chain');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => chain.task(id, () => id)) as [
      ReturnType<typeof chain.task<string>>,
      ReturnType<typeof chain.task<string>>,
      ReturnType<typeof chain.task<string>>,
      ReturnType<typeof chain.task<string>>,
    ];
    expect(a.then(b)).toBe(b);
    const fanned = [c, d] as const;
    expect(b.then(fanned)).toBe(fanned);
    a.then(b).then(c);
    const upstream = Object.fromEntries(
      chain.serialize('chain.ts').tasks.map((task) => [task.taskId, task.upstreamTaskIds]),
    );
    expect(upstream).toEqual({ a: [], b: ['a'], c: ['b'], d: ['b'] });
  });

  it('keeps start dates in UTC unless they carry an offset', () => {
    const startOf = (startDate: string | Date) => dag('dated', { startDate }).serialize('dated.ts').startDate;
    expect(startOf('2026-03-04')).toBe(Date.UTC(2026, 2, 4));
    expect(startOf('2026-03-04T05:06')).toBe(Date.UTC(2026, 2, 4, 5, 6));
    expect(startOf('2026-03-04T05:06:07Z')).toBe(Date.UTC(2026, 2, 4, 5, 6, 7));
    expect(startOf('2026-03-04T05:06:07.250+02:00')).toBe(Date.UTC(2026, 2, 4, 3, 6, 7, 250));
    expect(startOf(new Date(Date.UTC(2026, 0, 1)))).toBe(Date.UTC(2026, 0, 1));
  });

  it('accepts presets and 5- or 6-field cron expressions', () => {
    for (const schedule of ['@hourly', '@DAILY', '@weekly', '@monthly', '@yearly', '@annually', '@midnight']) {
      expect(dag('scheduled', { schedule }).schedule).toBe(schedule.toLowerCase());
    }
    expect(dag('scheduled', { schedule: '0 6 * * MON-FRI' }).schedule).toBe('0 6 * * MON-FRI');
    expect(dag('scheduled', { schedule: ' */10  * * * * * ' }).schedule).toBe('*/10 * * * * *');
    expect(dag('scheduled', { schedule: null }).schedule).toBeNull();
  });

  it('copies asset names to uris unless a uri is given', () => {
    expect(asset('orders')).toEqual({ name: 'orders', uri: 'orders' });
    expect(asset('orders', { uri: 's3://bucket/orders' })).toEqual({ name: 'orders', uri: 's3://bucket/orders' });
  });
});

describe('a DAG object', () => {
  it('records where dag() was called', () => {
    const [located, line] = [dag('located'), lineOfThisCall()];
    expect(located.definedAt).toEqual({ file: fileURLToPath(import.meta.url), line });
    const [viaMap] = ['mapped_in'].map((dagId) => dag(dagId));
    expect(viaMap?.definedAt).toEqual({ file: fileURLToPath(import.meta.url), line: lineOfThisCall() - 1 });
  });

  it('is recognised by its marker, without instanceof', () => {
    const marked = dag('marked');
    expect(isDag(marked)).toBe(true);
    expect((marked as unknown as Record<symbol, unknown>)[Symbol.for('tidemark.dag')]).toBe(true);
    expect(isDag({ [Symbol.for('tidemark.dag')]: true })).toBe(true);
    expect(isDag({ dagId: 'x' })).toBe(false);
    expect(isDag(null)).toBe(false);
    expect(marked).toBeInstanceOf(Dag);
  });

  it('gives the task process each task with its function', async () => {
    const runnable = dag('runnable');
    const numbers = runnable.task('numbers', () => [1, 2]);
    runnable.map('double', numbers, (_ctx, n) => n * 2, { outlets: [asset('doubled')] });
    expect(runnable.taskIds).toEqual(['numbers', 'double']);
    const double = runnable.getTask('double');
    expect(double).toMatchObject({
      dagId: 'runnable',
      taskId: 'double',
      mapOver: 'numbers',
      upstreamTaskIds: ['numbers'],
    });
    expect(double?.outlets).toEqual([{ name: 'doubled', uri: 'doubled' }]);
    expect(await double?.fn({} as never, 21)).toBe(42);
    expect(runnable.getTask('missing')).toBeUndefined();
  });
});

describe('definition errors', () => {
  it('refuses a task id defined twice', () => {
    const twice = dag('twice');
    twice.task('x', () => 1);
    expect(definitionError(() => twice.task('x', () => 2)).message).toBe('task id "x" is defined twice in DAG "twice"');
  });

  it('names the path of a cycle', () => {
    const looped = dag('looped');
    const a = looped.task('a', () => 1);
    const b = looped.task('b', () => 1);
    a.then(b).then(a);
    expect(definitionError(() => looped.serialize('looped.ts')).message).toBe('DAG "looped" has a cycle: a → b → a');

    const longer = dag('longer');
    const start = longer.task('start', () => 1);
    const [x, y, z] = ['x', 'y', 'z'].map((id) => longer.task(id, () => 1)) as [
      typeof start,
      typeof start,
      typeof start,
    ];
    start.then(y);
    x.then(y).then(z).then(x);
    expect(definitionError(() => longer.serialize('longer.ts')).message).toBe(
      'DAG "longer" has a cycle: x → y → z → x',
    );

    const itself = dag('itself');
    const alone = itself.task('alone', () => 1);
    alone.then(alone);
    expect(definitionError(() => itself.serialize('itself.ts')).message).toBe(
      'DAG "itself" has a cycle: alone → alone',
    );
  });

  it('refuses invalid DAG and task ids', () => {
    const rule = 'use 1–250 characters among letters, digits, "_", "-" and "."';
    expect(definitionError(() => dag('my dag')).message).toBe(`DAG id "my dag" is invalid: ${rule}`);
    expect(definitionError(() => dag('')).message).toBe(`DAG id "" is invalid: ${rule}`);
    expect(definitionError(() => dag('x'.repeat(251))).message).toMatch(/^DAG id "x{251}" is invalid/);
    expect(dag('a'.repeat(250)).dagId).toHaveLength(250);
    expect(definitionError(() => dag('ok').task('bad/id', () => 1)).message).toBe(
      `task (in DAG "ok") id "bad/id" is invalid: ${rule}`,
    );
  });

  it('refuses durations it cannot read', () => {
    expect(definitionError(() => dag('d', { defaults: { retryDelay: '5 sec' } })).message).toBe(
      'retryDelay "5 sec" of the defaults of DAG "d" is not a duration: ' +
        'use a number of milliseconds ≥ 0 or a string like "30s", "5m", "1h30m"',
    );
    expect(definitionError(() => dag('d').task('t', () => 1, { executionTimeout: -1 })).message).toBe(
      'executionTimeout -1 of task "t" in DAG "d" is not a duration: ' +
        'use a number of milliseconds ≥ 0 or a string like "30s", "5m", "1h30m"',
    );
    expect(definitionError(() => dag('d').task('t', () => 1, { maxRetryDelay: Number.NaN })).message).toMatch(
      /^maxRetryDelay NaN of task "t"/,
    );
    expect(definitionError(() => dag('d').task('t', () => 1, { retryDelay: '30' })).message).toBe(
      'retryDelay "30" of task "t" in DAG "d" has no unit: write "30s" for seconds, or the number 30 for milliseconds',
    );
    expect(definitionError(() => dag('d').task('t', () => 1, { executionTimeout: 0 })).message).toBe(
      'executionTimeout of task "t" in DAG "d" must be greater than 0; use null (or leave it out) for no timeout',
    );
  });

  it('refuses retries that are not a whole number ≥ 0', () => {
    expect(definitionError(() => dag('d').task('t', () => 1, { retries: -1 })).message).toBe(
      'retries -1 of task "t" in DAG "d" must be a whole number ≥ 0',
    );
    expect(definitionError(() => dag('d', { defaults: { retries: 1.5 } })).message).toBe(
      'retries 1.5 of the defaults of DAG "d" must be a whole number ≥ 0',
    );
  });

  it('refuses schedules that are neither cron nor a preset', () => {
    const hint =
      'use 5 cron fields ("0 6 * * *"), 6 with seconds first, or one of @hourly, @daily, @midnight, @weekly, ' +
      '@monthly, @yearly, @annually; use null to trigger the DAG by hand only';
    expect(definitionError(() => dag('d', { schedule: 'every day' })).message).toBe(
      `schedule "every day" of DAG "d" is not a cron expression or preset: ${hint}`,
    );
    expect(definitionError(() => dag('d', { schedule: '* * *' })).message).toMatch(/^schedule "\* \* \*" of DAG "d"/);
    expect(definitionError(() => dag('d', { schedule: '0 0 * * * * *' })).message).toMatch(/is not a cron expression/);
    expect(definitionError(() => dag('d', { schedule: '0 0 * * !' })).message).toMatch(/is not a cron expression/);
    expect(definitionError(() => dag('d', { schedule: '@fortnightly' })).message).toMatch(/is not a cron expression/);
    expect(definitionError(() => dag('d', { schedule: '@once' })).message).toBe(
      'schedule "@once" of DAG "d" is not supported: use schedule: null and trigger the DAG by hand',
    );
  });

  it('refuses start dates that are not dates', () => {
    expect(definitionError(() => dag('d', { startDate: '01/02/2026' })).message).toBe(
      'startDate "01/02/2026" of DAG "d" is not a date: use an ISO-8601 date ("2026-01-01") or date-time ' +
        '("2026-01-01T06:00:00Z"), or a Date',
    );
    expect(definitionError(() => dag('d', { startDate: '2026-02-30T25:00' })).message).toMatch(/is not a date/);
    expect(definitionError(() => dag('d', { startDate: new Date(Number.NaN) })).message).toMatch(/is not a date/);
  });

  it('refuses unknown options, which a DAG file run without a type check could misspell', () => {
    const options = { retry: 3 } as never;
    expect(definitionError(() => dag('d').task('t', () => 1, options)).message).toBe(
      'unknown option "retry" for task "t" in DAG "d"; the options are: ' +
        'retries, retryDelay, retryExponentialBackoff, maxRetryDelay, executionTimeout, inlets, outlets',
    );
    expect(definitionError(() => dag('d', { schedul: '@daily' } as never)).message).toMatch(
      /^unknown option "schedul" for DAG "d"/,
    );
  });

  it('refuses inlets and outlets that are not assets', () => {
    expect(definitionError(() => dag('d').task('t', () => 1, { outlets: ['orders'] as never })).message).toBe(
      'outlets of task "t" in DAG "d" must be an array of asset(...) values',
    );
    expect(definitionError(() => asset(' ')).message).toMatch(/^asset name must be a non-blank string/);
  });

  it('keeps dependencies inside one DAG', () => {
    const first = dag('first');
    const second = dag('second');
    const there = first.task('there', () => [1]);
    const here = second.task('here', () => 1);
    expect(definitionError(() => second.map('mapped', there, (_ctx, n) => n)).message).toBe(
      'task "mapped" is mapped over task "there" of DAG "first", but tasks can only depend on tasks of their own DAG ("second")',
    );
    expect(definitionError(() => there.then(here)).message).toBe(
      'task "there".then() was given task "here" of DAG "second", but tasks can only depend on tasks of their own DAG ("first")',
    );
    expect(definitionError(() => here.then({ taskId: 'x' } as never)).message).toMatch(
      /^task "here".then\(\) was given \[object Object\], not a task of DAG "second"/,
    );
  });

  it('takes stateKey on a mapped task only, as a function (SPEC §17)', () => {
    const keyed = dag('keyed');
    const orders = keyed.task('orders', () => [{ id: 'a' }]);
    keyed.map('load', orders, (_ctx, order) => order.id, { stateKey: (order) => order.id, retries: 1 });
    expect(keyed.getTask('load')?.stateKey?.({ id: 'z' })).toBe('z');
    expect(keyed.getTask('orders')?.stateKey).toBeNull();
    expect(keyed.serialize('keyed.ts').tasks[1]).not.toHaveProperty('stateKey');
    expect(definitionError(() => keyed.task('t', () => 1, { stateKey: () => 'x' } as never)).message).toMatch(
      /^unknown option "stateKey" for task "t" in DAG "keyed"/,
    );
    expect(
      definitionError(() => keyed.map('m', orders, (_ctx, order) => order, { stateKey: 'id' as never })).message,
    ).toMatch(/^stateKey of task "m" in DAG "keyed" must be a function of the item/);
  });

  it('refuses mapping over a mapped task', () => {
    const nested = dag('nested');
    const lists = nested.task('lists', () => [[1], [2]]);
    const inner = nested.map('inner', lists, (_ctx, list) => list);
    expect(definitionError(() => nested.map('deeper', inner as never, (_ctx, n) => n)).message).toBe(
      'task "deeper" in DAG "nested" cannot be mapped over the mapped task "inner": map over a task that returns one array',
    );
  });

  it('refuses to be awaited as if a task ref were a promise', async () => {
    const refs = dag('refs');
    const task = refs.task('t', () => 1);
    await expect((async () => await (task as unknown as Promise<unknown>))()).rejects.toThrow(
      /task "t" of DAG "refs" is not a promise/,
    );
  });
});
