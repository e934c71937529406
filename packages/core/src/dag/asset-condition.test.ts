import { describe, expect, it } from 'vitest';
import {
  type AssetCondition,
  assetConditionHolds,
  assetIdentity,
  assetsOfCondition,
  describeAssetCondition,
} from './asset-condition.ts';

const asset = (name: string): AssetCondition => ({ kind: 'asset', name, uri: `s3://lake/${name}` });
const all = (...of: AssetCondition[]): AssetCondition => ({ kind: 'all', of });
const any = (...of: AssetCondition[]): AssetCondition => ({ kind: 'any', of });
const withEvents = (...names: string[]) =>
  new Set(names.map((name) => assetIdentity({ name, uri: `s3://lake/${name}` })));

describe('asset conditions', () => {
  it('an asset holds when it has an event; the same name at another URI is another asset', () => {
    expect(assetConditionHolds(asset('orders'), withEvents('orders'))).toBe(true);
    expect(assetConditionHolds(asset('orders'), withEvents('customers'))).toBe(false);
    const elsewhere = new Set([assetIdentity({ name: 'orders', uri: 'orders' })]);
    expect(assetConditionHolds(asset('orders'), elsewhere)).toBe(false);
  });

  it('all waits for every asset; any fires on one; they nest', () => {
    const condition = any(asset('a'), all(asset('b'), asset('c')));
    expect(assetConditionHolds(condition, withEvents())).toBe(false);
    expect(assetConditionHolds(condition, withEvents('b'))).toBe(false);
    expect(assetConditionHolds(condition, withEvents('b', 'c'))).toBe(true);
    expect(assetConditionHolds(condition, withEvents('a'))).toBe(true);
    expect(assetConditionHolds(all(asset('a'), asset('b')), withEvents('a'))).toBe(false);
  });

  it('lists each asset once and describes the condition', () => {
    const condition = any(asset('a'), all(asset('b'), asset('a')));
    expect(assetsOfCondition(condition).map((ref) => ref.name)).toEqual(['a', 'b']);
    expect(describeAssetCondition(condition)).toBe('any(a, all(b, a))');
  });
});
