import { describe, expectTypeOf, it } from 'vitest';
import { dag } from '../dag/dag.ts';
import type { MappedTaskRef, TaskRef } from '../dag/task-ref.ts';
import type { TaskContext } from './task-context.ts';

describe('types that flow from task functions to ctx.xcom.pull', () => {
  const typed = dag('typed');
  const extract = typed.task('extract', async () => [1, 2, 3]);
  const label = typed.task('label', () => ({ name: 'orders', rows: 3 }));
  const square = typed.map('square', extract, async (_ctx, n) => {
    expectTypeOf(n).toEqualTypeOf<number>();
    return n * n;
  });
  const describeRow = typed.map('describe_row', extract, (_ctx, n) => `row ${n}`);

  it('types a task ref by the awaited return type of its function', () => {
    expectTypeOf(extract).toEqualTypeOf<TaskRef<number[]>>();
    expectTypeOf(label).toEqualTypeOf<TaskRef<{ name: string; rows: number }>>();
    expectTypeOf(square).toEqualTypeOf<MappedTaskRef<number>>();
    expectTypeOf(describeRow).toEqualTypeOf<MappedTaskRef<string>>();
  });

  it('types a pull by the pulled task: arrays for all map indices, one value for one', () => {
    typed.task('report', async (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
      expectTypeOf(ctx.xcom.pull(extract)).resolves.toEqualTypeOf<number[]>();
      expectTypeOf(ctx.xcom.pull(label)).resolves.toEqualTypeOf<{ name: string; rows: number }>();
      expectTypeOf(ctx.xcom.pull(square)).resolves.toEqualTypeOf<number[]>();
      expectTypeOf(ctx.xcom.pull(square, { mapIndex: 0 })).resolves.toEqualTypeOf<number>();
      expectTypeOf(ctx.xcom.pull(describeRow)).resolves.toEqualTypeOf<string[]>();
      // @ts-expect-error a task that is not mapped has one value, so no mapIndex
      void ctx.xcom.pull(extract, { mapIndex: 0 });
    });
  });

  it('maps only over tasks that return arrays, with the element type', () => {
    // @ts-expect-error label returns an object, not an array
    expectTypeOf(() => typed.map('not_a_list', label, (_ctx, item) => item)).toBeFunction();
    typed.map('typed_item', extract, (_ctx, n: number) => n);
    // @ts-expect-error the elements of extract are numbers
    typed.map('wrong_item', extract, (_ctx, n: string) => n);
  });

  it('chains with then, returning what it was given', () => {
    expectTypeOf(extract.then(square)).toEqualTypeOf<MappedTaskRef<number>>();
    expectTypeOf(extract.then([label, square] as const)).toEqualTypeOf<readonly [typeof label, typeof square]>();
    // @ts-expect-error then takes tasks, not strings
    expectTypeOf(() => extract.then('square')).toBeFunction();
  });

  it('exposes the attempt to the task function', () => {
    expectTypeOf<TaskContext['logicalDate']>().toEqualTypeOf<Date | null>();
    expectTypeOf<TaskContext['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<TaskContext['log']['info']>().parameters.toEqualTypeOf<
      [message: string, fields?: Readonly<Record<string, unknown>>]
    >();
  });
});
