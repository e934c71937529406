import type { JsonValue } from '../state-store/state-value-rules.ts';
import type { AssetReference } from './serialized-dag.ts';

/** Where an asset event came from (SPEC §15.2). */
export type AssetEventSource =
  | {
      readonly kind: 'task';
      readonly dagId: string;
      readonly runId: string;
      readonly taskId: string;
      readonly mapIndex: number;
      /** Null for events recorded before try numbers were kept. */
      readonly tryNumber: number | null;
    }
  | { readonly kind: 'api'; readonly user: string }
  | { readonly kind: 'watcher'; readonly watcher: string };

/** An event that triggered an asset-triggered run, as its tasks see it (`ctx.triggeringAssetEvents`). */
export interface TriggeringAssetEvent {
  readonly id: number;
  readonly asset: AssetReference;
  readonly extra: Readonly<Record<string, JsonValue>>;
  readonly source: AssetEventSource;
  /** Epoch ms. */
  readonly timestamp: number;
}

/** What a task attached to the event of one of its outlets (`ctx.outletEvents.of(asset).extra`). */
export interface OutletEventExtra {
  readonly name: string;
  readonly uri: string;
  readonly extra: Readonly<Record<string, JsonValue>>;
}
