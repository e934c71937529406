import { request, segment } from './http.ts';
import type { Asset, AssetEvent } from './types.ts';

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
