import type { AssetReference } from './serialized-dag.ts';

/**
 * When a DAG scheduled on assets gets a run (SPEC §15.1): an asset (it has a queued event), every
 * one of a list, or any one of a list, nested as deep as needed.
 */
export type AssetCondition =
  | { readonly kind: 'asset'; readonly name: string; readonly uri: string }
  | { readonly kind: 'all'; readonly of: readonly AssetCondition[] }
  | { readonly kind: 'any'; readonly of: readonly AssetCondition[] };

/** One string per asset identity (name and URI), for sets and maps. */
export function assetIdentity(asset: AssetReference): string {
  return JSON.stringify([asset.name, asset.uri]);
}

/** Whether the condition holds, given the assets that have at least one queued event. */
export function assetConditionHolds(condition: AssetCondition, assetsWithEvents: ReadonlySet<string>): boolean {
  switch (condition.kind) {
    case 'asset':
      return assetsWithEvents.has(assetIdentity(condition));
    case 'all':
      return condition.of.every((part) => assetConditionHolds(part, assetsWithEvents));
    case 'any':
      return condition.of.some((part) => assetConditionHolds(part, assetsWithEvents));
  }
}

/** Every asset the condition names, once each, in the order they first appear. */
export function assetsOfCondition(condition: AssetCondition): AssetReference[] {
  const found = new Map<string, AssetReference>();
  const visit = (part: AssetCondition): void => {
    if (part.kind === 'asset') found.set(assetIdentity(part), { name: part.name, uri: part.uri });
    else for (const inner of part.of) visit(inner);
  };
  visit(condition);
  return [...found.values()];
}

/** `orders`, `all(orders, customers)`, `any(a, all(b, c))`: how the UI and CLI show a condition. */
export function describeAssetCondition(condition: AssetCondition): string {
  if (condition.kind === 'asset') return condition.name;
  return `${condition.kind}(${condition.of.map(describeAssetCondition).join(', ')})`;
}
