import type { AssetReference, SerializedDag, SerializedTask } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { resolveDeclaredAssets } from './declared-assets.ts';

function dag(dagId: string, fileloc: string, inlets: AssetReference[], outlets: AssetReference[] = []): SerializedDag {
  const task = { taskId: 't', inlets, outlets } as unknown as SerializedTask;
  return { dagId, fileloc, tasks: [task] } as unknown as SerializedDag;
}

const orders = { name: 'orders', uri: 's3://lake/orders' };

describe('resolveDeclaredAssets', () => {
  it('lists every inlet and outlet once', () => {
    const dags = [dag('a', 'a.ts', [orders], [{ name: 'report', uri: 'report' }]), dag('b', 'b.ts', [orders])];

    expect(resolveDeclaredAssets(dags, [])).toEqual({
      assets: [orders, { name: 'report', uri: 'report' }],
      conflictErrors: [],
      rejections: [],
    });
  });

  it('reports a name declared with another uri, and a uri declared with another name, against the first by fileloc', () => {
    const dags = [
      dag('c', 'c.ts', [{ name: 'renamed', uri: orders.uri }]),
      dag('b', 'b.ts', [{ name: 'orders', uri: 's3://other' }]),
      dag('a', 'a.ts', [orders]),
    ];

    const result = resolveDeclaredAssets(dags, []);

    expect(result.assets).toEqual([orders]);
    expect(result.conflictErrors.map((error) => [error.fileloc, error.line])).toEqual([
      ['b.ts', null],
      ['c.ts', null],
    ]);
    expect(result.conflictErrors[0]?.message).toContain(
      'DAG "b" declares asset "orders" with uri "s3://other", but DAG "a" (a.ts) declares asset "orders" with uri "s3://lake/orders"',
    );
  });

  it('lets an asset that is active now win a clash', () => {
    const other = { name: 'orders', uri: 's3://other' };

    const result = resolveDeclaredAssets([dag('a', 'a.ts', [orders]), dag('b', 'b.ts', [other])], [other]);

    expect(result.assets).toEqual([other]);
    expect(result.conflictErrors.map((error) => error.fileloc)).toEqual(['a.ts']);
  });

  it('rejects the DAGs being loaded that clash, not the ones loaded before, and says so', () => {
    const dags = [dag('a', 'a.ts', [orders]), dag('b', 'b.ts', [{ name: 'orders', uri: 's3://other' }])];

    const result = resolveDeclaredAssets(dags, [], new Set(['b']));

    expect(result.rejections.map((rejection) => rejection.dagId)).toEqual(['b']);
    expect(result.rejections[0]?.error.message).toContain('until then DAG "b" is not loaded');
    expect(resolveDeclaredAssets(dags, [], new Set(['a'])).rejections).toEqual([]);
  });
});
