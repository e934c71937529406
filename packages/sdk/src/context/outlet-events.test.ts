import { describe, expect, it } from 'vitest';
import { UndeclaredAssetError } from '../errors.ts';
import { successOutcome } from '../runner/attempt-outcome.ts';
import { createOutletEvents } from './outlet-events.ts';

const orders = { name: 'orders', uri: 's3://lake/orders' };
const customers = { name: 'customers', uri: 'customers' };

describe('ctx.outletEvents', () => {
  it('collects the extras set for declared outlets, once per outlet', () => {
    const events = createOutletEvents([orders, customers]);
    events.of(orders).extra = { rows: 1 };
    events.of({ ...orders }).extra = { rows: 2 };
    expect(events.of(customers).extra).toEqual({});
    expect(events.collect()).toEqual([
      { name: 'orders', uri: 's3://lake/orders', extra: { rows: 2 } },
      { name: 'customers', uri: 'customers', extra: {} },
    ]);
  });

  it('refuses an asset that is not an outlet, and an extra that is not a JSON object', () => {
    const events = createOutletEvents([orders]);
    expect(() => events.of(customers)).toThrow(UndeclaredAssetError);
    expect(() => events.of(customers)).toThrow(/asset "customers" is not an outlet of this task.*outlets: "orders"/);
    for (const extra of [[1], 'rows', null, 3]) {
      expect(() => {
        events.of(orders).extra = extra as never;
      }).toThrow(/the extra of the event of outlet "orders" must be a JSON object/);
    }
  });

  it('fails the attempt for good when an extra is not JSON, and sends the extras with a success', () => {
    const bad = successOutcome('load', undefined, [{ ...orders, extra: { when: new Date(0) } as never }]);
    expect(bad).toMatchObject({ outcome: 'failed', retryable: false });
    expect(bad).toMatchObject({
      error: expect.stringMatching(/^task "load" set an extra for outlet "orders" that is not JSON/),
    });
    expect(successOutcome('load', 5, [{ ...orders, extra: { rows: 1 } }])).toEqual({
      type: 'finished',
      outcome: 'success',
      returnValue: 5,
      outletEvents: [{ ...orders, extra: { rows: 1 } }],
    });
  });
});
