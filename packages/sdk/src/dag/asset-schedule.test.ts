import { describe, expect, it } from 'vitest';
import { DagDefinitionError } from '../errors.ts';
import { asset } from './asset.ts';
import { allOf, anyOf } from './asset-schedule.ts';
import { dag } from './dag.ts';

const orders = asset('orders', { uri: 's3://lake/orders' });
const customers = asset('customers');
const refunds = asset('refunds');

function scheduleError(schedule: unknown): string {
  try {
    dag('consumer', { schedule: schedule as never });
  } catch (error) {
    expect(error).toBeInstanceOf(DagDefinitionError);
    return (error as Error).message;
  }
  throw new Error('expected a DagDefinitionError');
}

describe('schedules on assets', () => {
  it('an asset, a list (all of them), nested anyOf/allOf, and { cron, assets }', () => {
    const one = dag('one', { schedule: orders }).serialize('one.ts');
    expect(one).toMatchObject({
      schedule: null,
      assetCondition: { kind: 'asset', name: 'orders', uri: 's3://lake/orders' },
    });

    const list = dag('list', { schedule: [orders, customers] }).serialize('list.ts');
    expect(list.assetCondition).toEqual({
      kind: 'all',
      of: [
        { kind: 'asset', name: 'orders', uri: 's3://lake/orders' },
        { kind: 'asset', name: 'customers', uri: 'customers' },
      ],
    });

    const nested = dag('nested', { schedule: anyOf(orders, allOf(customers, refunds)) }).serialize('nested.ts');
    expect(nested.assetCondition).toMatchObject({
      kind: 'any',
      of: [
        { kind: 'asset', name: 'orders' },
        { kind: 'all', of: [{ name: 'customers' }, { name: 'refunds' }] },
      ],
    });

    const either = dag('either', { schedule: { cron: '@daily', assets: [orders] } }).serialize('either.ts');
    expect(either.schedule).toBe('@daily');
    expect(either.assetCondition).toMatchObject({ kind: 'all', of: [{ name: 'orders' }] });

    expect(dag('cron_only', { schedule: '@hourly' }).serialize('c.ts').assetCondition).toBeNull();
    expect(JSON.parse(JSON.stringify(nested))).toEqual(nested);
  });

  it('refuses what is not a condition, naming the DAG and the shapes it accepts', () => {
    expect(scheduleError([])).toMatch(/^schedule of DAG "consumer" must be .*: an empty list of assets never holds$/);
    expect(scheduleError(anyOf())).toMatch(/anyOf\(\) needs at least one asset/);
    expect(scheduleError({ name: 'orders' })).toMatch(/got an object with name$/);
    expect(scheduleError([orders, 42])).toMatch(/got 42$/);
    expect(scheduleError({ cron: 'every day', assets: orders })).toMatch(/is not a cron expression/);
    expect(() => allOf(orders, 'customers' as never)).toThrow(/allOf\(…\) must be .*got customers/);
  });
});
