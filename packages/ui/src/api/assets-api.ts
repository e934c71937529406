import { request, segment } from './http.ts';
import type { Asset, AssetEvent, QueuedAssetEvents, Watcher } from './types.ts';

const API = '/api/v2';

export async function listAssets(): Promise<readonly Asset[]> {
  const page = await request<{ assets: Asset[] }>(`${API}/assets`, { query: { limit: 1000, order_by: 'name' } });
  return page.assets;
}

export function getAsset(assetId: number): Promise<Asset> {
  return request(`${API}/assets/${segment(assetId)}`);
}

export async function listAssetEvents(assetId: number): Promise<readonly AssetEvent[]> {
  const page = await request<{ asset_events: AssetEvent[] }>(`${API}/assets/events`, {
    query: { asset_id: assetId, limit: 100, order_by: '-timestamp' },
  });
  return page.asset_events;
}

/** The events that triggered an asset-triggered run (empty for other runs). */
export async function listUpstreamAssetEvents(dagId: string, runId: string): Promise<readonly AssetEvent[]> {
  const page = await request<{ asset_events: AssetEvent[] }>(
    `${API}/dags/${segment(dagId)}/dagRuns/${segment(runId)}/upstreamAssetEvents`,
  );
  return page.asset_events;
}

/** The asset events queued for a DAG scheduled on assets, and the assets it still waits for. */
export function getQueuedAssetEvents(dagId: string): Promise<QueuedAssetEvents> {
  return request(`${API}/dags/${segment(dagId)}/assets/queuedEvents`);
}

/** The watchers declared on an asset, with their status. */
export async function listAssetWatchers(assetId: number): Promise<readonly Watcher[]> {
  const page = await request<{ watchers: Watcher[] }>(`${API}/assets/${segment(assetId)}/watchers`);
  return page.watchers;
}
