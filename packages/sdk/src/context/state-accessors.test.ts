import {
  type JsonValue,
  StaleAttemptError,
  StateConflictError,
  TidemarkError,
  ValueTooLargeError,
} from '@tidemark/core/task-process';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { asset } from '../dag/asset.ts';
import { UndeclaredAssetError } from '../errors.ts';
import { NEVER_EXPIRE } from '../index.ts';
import type { SupervisorRequester } from '../runner/supervisor-channel.ts';
import { createAssetStateAccessor, declaredAssetsOf } from './asset-state-accessor.ts';
import type { StagedWriteResult, StateWriteResult } from './state-accessor-core.ts';
import { createTaskStateAccessor } from './task-state-accessor.ts';

type Answer = JsonValue | undefined | Error;

/** Records every request; answers from a queue (or with `fallback`), an Error answer is thrown. */
function recordingSupervisor(answers: Answer[] = [], fallback: Answer = null) {
  const requests: { method: string; params: unknown }[] = [];
  const supervisor: Pick<SupervisorRequester, 'request'> = {
    request: async (method, params) => {
      requests.push({ method, params });
      const answer = answers.length > 0 ? answers.shift() : fallback;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { requests, supervisor };
}

const conflict = (message = 'state key "n" is at version 4, not 3; read it again and retry') =>
  new TidemarkError('state_conflict', message, { method: 'state.set' });

describe('ctx.taskState', () => {
  it('reads values, entries and defaults', async () => {
    const { requests, supervisor } = recordingSupervisor([
      { value: { n: 1 }, version: 3, expires_at: '2026-12-01T00:00:00.000Z' },
      null,
      { value: 7, version: 1, expires_at: null },
      null,
    ]);
    const state = createTaskStateAccessor(supervisor, 1);
    expect(await state.getEntry<{ n: number }>('cursor')).toEqual({
      value: { n: 1 },
      version: 3,
      expiresAt: new Date('2026-12-01T00:00:00.000Z'),
    });
    expect(await state.getEntry('missing')).toBeUndefined();
    const seven = await state.get<number>('count');
    expectTypeOf(seven).toEqualTypeOf<number | undefined>();
    expect(seven).toBe(7);
    const fallback = await state.get('missing', 0);
    expectTypeOf(fallback).toEqualTypeOf<0>();
    expect(fallback).toBe(0);
    expect(requests.map((r) => r.method)).toEqual(['state.get', 'state.get', 'state.get', 'state.get']);
    expect(requests[0]?.params).toEqual({ target: { kind: 'task' }, key: 'cursor' });
  });

  it('validates keys and values before sending anything', async () => {
    const { requests, supervisor } = recordingSupervisor();
    const state = createTaskStateAccessor(supervisor, 1);
    await expect(state.get('')).rejects.toMatchObject({ code: 'invalid_state_key' });
    await expect(state.set('a\u0000b', 1)).rejects.toMatchObject({ code: 'invalid_state_key' });
    await expect(state.set('k', null as never)).rejects.toMatchObject({ code: 'invalid_state_value' });
    await expect(state.set('k', { when: new Date() } as never)).rejects.toMatchObject({ code: 'invalid_state_value' });
    await expect(state.set('k', Number.POSITIVE_INFINITY)).rejects.toMatchObject({ code: 'invalid_state_value' });
    await expect(state.advance('k', { a: 1 } as never)).rejects.toMatchObject({ code: 'invalid_state_value' });
    await expect(state.advance('k', Number.NaN)).rejects.toMatchObject({ code: 'invalid_state_value' });
    await expect(state.delete('k', { ifVersion: -1 })).rejects.toMatchObject({ code: 'invalid_state_option' });
    await expect(state.set('k', 1, { ifVersion: 1.5 })).rejects.toMatchObject({ code: 'invalid_state_option' });
    await expect(state.set('k', 1, { retension: '1d' } as never)).rejects.toMatchObject({
      code: 'invalid_state_option',
      message: 'ctx.taskState.set has no option "retension" (it takes "retention", "ifVersion")',
    });
    expect(requests).toEqual([]);
  });

  it('sends retention as duration text: ms numbers, strings as given, NEVER_EXPIRE', async () => {
    const { requests, supervisor } = recordingSupervisor([], { version: 2 });
    const state = createTaskStateAccessor(supervisor, 1);
    expect(await state.set('a', 1, { retention: 90_000 })).toEqual({ version: 2 });
    await state.set('b', 'x', { retention: '30d' });
    await state.set('c', [1], { retention: NEVER_EXPIRE, ifVersion: 0 });
    await state.set('d', true);
    expect(requests.map((r) => r.params)).toEqual([
      { target: { kind: 'task' }, key: 'a', value: 1, retention: '90000ms' },
      { target: { kind: 'task' }, key: 'b', value: 'x', retention: '30d' },
      { target: { kind: 'task' }, key: 'c', value: [1], retention: 'NEVER_EXPIRE', ifVersion: 0 },
      { target: { kind: 'task' }, key: 'd', value: true },
    ]);
    await expect(state.set('e', 1, { retention: 'soon' })).rejects.toMatchObject({ code: 'invalid_state_option' });
    await expect(state.set('e', 1, { retention: -5 })).rejects.toMatchObject({ code: 'invalid_state_option' });
    expect(requests).toHaveLength(4);
  });

  it('advances, deletes, clears and lists keys', async () => {
    const { requests, supervisor } = recordingSupervisor([
      { value: '2026-01-02', version: 5, advanced: true },
      null,
      null,
      { keys: [{ key: 'a', version: 1, expires_at: null }] },
    ]);
    const state = createTaskStateAccessor(supervisor, 1);
    const advanced = await state.advance('hw', '2026-01-02');
    expectTypeOf(advanced.value).toEqualTypeOf<'2026-01-02'>();
    expect(advanced).toEqual({ value: '2026-01-02', version: 5, advanced: true });
    await state.delete('a', { ifVersion: 1 });
    await state.clear();
    expect(await state.keys()).toEqual([{ key: 'a', version: 1, expiresAt: null }]);
    expect(requests).toEqual([
      { method: 'state.advance', params: { target: { kind: 'task' }, key: 'hw', value: '2026-01-02' } },
      { method: 'state.delete', params: { target: { kind: 'task' }, key: 'a', ifVersion: 1 } },
      { method: 'state.clear', params: { target: { kind: 'task' } } },
      { method: 'state.keys', params: { target: { kind: 'task' } } },
    ]);
  });

  it('update retries on StateConflictError with a fresh read, then wins', async () => {
    const { requests, supervisor } = recordingSupervisor([
      { value: 3, version: 3, expires_at: null },
      conflict(),
      { value: 4, version: 4, expires_at: null },
      { version: 5 },
    ]);
    const state = createTaskStateAccessor(supervisor, 1);
    const seen: (number | undefined)[] = [];
    const result = await state.update<number>('n', (current) => {
      seen.push(current);
      return (current ?? 0) + 1;
    });
    expect(result).toEqual({ value: 5, version: 5 });
    expect(seen).toEqual([3, 4]);
    expect(requests.filter((r) => r.method === 'state.set').map((r) => r.params)).toEqual([
      { target: { kind: 'task' }, key: 'n', value: 4, ifVersion: 3 },
      { target: { kind: 'task' }, key: 'n', value: 5, ifVersion: 4 },
    ]);
  });

  it('update writes with ifVersion 0 when absent and gives up after maxAttempts', async () => {
    const { requests, supervisor } = recordingSupervisor([null, conflict(), null, conflict()]);
    const state = createTaskStateAccessor(supervisor, 1);
    const error = await state.update('n', () => 1, { maxAttempts: 2, retention: '1h' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateConflictError);
    expect(requests.filter((r) => r.method === 'state.set').map((r) => r.params)).toEqual([
      { target: { kind: 'task' }, key: 'n', value: 1, ifVersion: 0, retention: '1h' },
      { target: { kind: 'task' }, key: 'n', value: 1, ifVersion: 0, retention: '1h' },
    ]);
  });

  it('maps response codes to the error classes, keeping the server message', async () => {
    const { supervisor } = recordingSupervisor([
      conflict(),
      new TidemarkError('stale_attempt', 'attempt 1 of task instance x is no longer the running attempt'),
      new TidemarkError(
        'value_too_large',
        'state value is 70000 bytes of JSON, over the limit of 65536 bytes (state.max_value_bytes)',
      ),
      new TidemarkError('state_not_writable', 'other'),
    ]);
    const state = createTaskStateAccessor(supervisor, 2);
    const conflictError = await state.set('n', 1, { ifVersion: 3 }).catch((e: unknown) => e);
    expect(conflictError).toBeInstanceOf(StateConflictError);
    expect(conflictError).toMatchObject({
      code: 'state_conflict',
      key: 'n',
      expectedVersion: 3,
      actualVersion: 4,
      message: 'state key "n" is at version 4, not 3; read it again and retry',
    });
    const stale = await state.set('n', 1).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleAttemptError);
    expect(stale).toMatchObject({ message: 'attempt 1 of task instance x is no longer the running attempt' });
    const tooLarge = await state.set('n', 'x').catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(ValueTooLargeError);
    expect(tooLarge).toMatchObject({ sizeBytes: 70_000, limitBytes: 65_536 });
    await expect(state.clear()).rejects.toMatchObject({ code: 'state_not_writable', message: 'other' });
  });

  it('keeps actualVersion -1 when the conflict message does not say', async () => {
    const { supervisor } = recordingSupervisor([conflict('if-match failed')]);
    const error = await createTaskStateAccessor(supervisor, 1)
      .delete('k', { ifVersion: 2 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ expectedVersion: 2, actualVersion: -1, message: 'if-match failed' });
  });
});

describe('ctx.assetState', () => {
  const orders = asset('orders', { uri: 's3://lake/orders' });
  const customers = asset('customers');

  it('declares inlets then outlets, each once', () => {
    expect(
      declaredAssetsOf({ inlets: [orders, customers], outlets: [orders] }).map((declared) => declared.name),
    ).toEqual(['orders', 'customers']);
  });

  it('.of(asset) targets a declared asset by name; undeclared assets fail before any request', async () => {
    const { requests, supervisor } = recordingSupervisor([{ value: 10, version: 2, expires_at: null }]);
    const state = createAssetStateAccessor(supervisor, 1, [orders, customers]);
    expect(await state.of(orders).get('hw')).toBe(10);
    expect(requests[0]).toEqual({
      method: 'state.get',
      params: { target: { kind: 'asset', name: 'orders' }, key: 'hw' },
    });
    expect(state.of(orders).asset).toEqual({ name: 'orders', uri: 's3://lake/orders' });
    const error = (() => {
      try {
        state.of(asset('payments'));
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(UndeclaredAssetError);
    expect(error).toMatchObject({ code: 'undeclared_asset', asset: 'payments', declared: ['orders', 'customers'] });
    expect((error as Error).message).toContain('declared assets: "orders", "customers"');
    expect(() => state.of('orders' as never)).toThrow(/takes an asset made with asset/);
    expect(requests).toHaveLength(1);
  });

  it('the shorthand works with exactly one declared asset', async () => {
    const { requests, supervisor } = recordingSupervisor([], { version: 1 });
    const state = createAssetStateAccessor(supervisor, 1, [orders]);
    await state.set('hw', 1);
    expect(requests[0]?.params).toEqual({ target: { kind: 'asset', name: 'orders' }, key: 'hw', value: 1 });
  });

  it('the shorthand with no or two declared assets names them and points to .of', async () => {
    const { requests, supervisor } = recordingSupervisor();
    await expect(createAssetStateAccessor(supervisor, 1, []).get('hw')).rejects.toMatchObject({
      code: 'ambiguous_asset_state',
      message: expect.stringContaining('declares no inlets or outlets'),
    });
    await expect(createAssetStateAccessor(supervisor, 1, [orders, customers]).keys()).rejects.toMatchObject({
      code: 'ambiguous_asset_state',
      message:
        'ctx.assetState.keys: this task declares 2 assets ("orders", "customers"); say which with ctx.assetState.of(asset).keys(...)',
    });
    expect(requests).toEqual([]);
  });

  it('stages set and advance with onSuccess', async () => {
    const { requests, supervisor } = recordingSupervisor([
      { staged: true },
      { staged: true },
      { value: 9, version: 3, advanced: false },
    ]);
    const state = createAssetStateAccessor(supervisor, 1, [orders]);
    const staged = await state.set('hw', 5, { onSuccess: true });
    expectTypeOf(staged).toEqualTypeOf<StagedWriteResult>();
    expect(staged).toEqual({ staged: true });
    expect(await state.of(orders).advance('hw', 7, { onSuccess: true })).toEqual({ staged: true });
    const applied = await state.advance('hw', 8);
    expectTypeOf(applied.advanced).toEqualTypeOf<boolean>();
    expect(applied).toEqual({ value: 9, version: 3, advanced: false });
    expect(requests.map((r) => r.params)).toEqual([
      { target: { kind: 'asset', name: 'orders' }, key: 'hw', value: 5, onSuccess: true },
      { target: { kind: 'asset', name: 'orders' }, key: 'hw', value: 7, onSuccess: true },
      { target: { kind: 'asset', name: 'orders' }, key: 'hw', value: 8 },
    ]);
    expectTypeOf(state.set('x', 1)).resolves.toEqualTypeOf<StateWriteResult>();
    await expect(state.set('hw', 1, { onSuccess: true, ifVersion: 1 })).rejects.toMatchObject({
      code: 'invalid_state_option',
    });
    await expect(state.set('hw', 1, { retention: '1d' } as never)).rejects.toMatchObject({
      code: 'invalid_state_option',
    });
  });

  it('update retries on conflict; a 403 from the server becomes UndeclaredAssetError', async () => {
    const { supervisor } = recordingSupervisor([
      null,
      conflict(),
      { value: 1, version: 1, expires_at: null },
      { version: 2 },
      new TidemarkError('undeclared_asset', 'asset "orders" is not declared by task t'),
    ]);
    const state = createAssetStateAccessor(supervisor, 1, [orders]);
    expect(await state.update<number>('runs', (n) => (n ?? 0) + 1)).toEqual({ value: 2, version: 2 });
    const error = await state.clear().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndeclaredAssetError);
    expect(error).toMatchObject({ message: 'asset "orders" is not declared by task t' });
  });
});
