import {
  AssetNotFoundError,
  type AssetScope,
  type AssetStateEntryResponse,
  assetScope,
  assetStateCollectionSchema,
  assetStateEntrySchema,
  assetStateKeyPathSchema,
  assetStateListQuerySchema,
  assetStatePathSchema,
  putAssetStateBodySchema,
  type StateEntry,
} from '@tidemark/core';
import { findAsset } from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { iso } from './dag-route-support.ts';
import { registerStateKeyRoutes, type StateKeyFamily } from './state-key-routes.ts';
import { apiWriter, NO_CONTENT, stateErrorResponses, writerResponse } from './state-route-support.ts';

const TAGS = ['Asset State'];
const BASE = '/assets/:asset_id/state-store';

/**
 * SPEC §11.2 asset state: list (with `last_updated_by`), get, PUT, DELETE a key, clear, history and
 * restore. Asset state never expires, so PUT refuses `expires_at` (422). Reads need `viewer`, writes `op`.
 */
export function registerStateAssetRoutes(app: PublicApp, context: PublicRouteContext): void {
  const backend = context.stateBackend;

  /** 404 for an unknown asset (inactive assets keep their state and stay addressable). */
  const scopeOf = async (assetId: number): Promise<AssetScope> => {
    const asset = await findAsset(context.database.db, assetId);
    if (!asset) throw new AssetNotFoundError(`with id ${assetId}`);
    return assetScope(assetId);
  };

  const family: StateKeyFamily = {
    base: BASE,
    tags: TAGS,
    noun: 'asset-state',
    keyPath: assetStateKeyPathSchema,
    entrySchema: assetStateEntrySchema,
    putBody: putAssetStateBodySchema,
    putDescription:
      'Creates or replaces the value (asset state never expires: `expires_at` is refused). ' +
      '`If-Match: "<version>"` writes only at that version (`"0"`: only if absent).',
    backend,
    viewer: context.auth.requireRole('viewer'),
    op: context.auth.requireRole('op'),
    scopeOf: (request) => scopeOf(request.params.asset_id as number),
    describe: (scope) => (scope.kind === 'asset' ? `asset ${scope.assetId}` : 'not an asset'),
    respond: assetEntryResponse,
  };

  app.get(
    BASE,
    {
      onRequest: family.viewer,
      schema: {
        tags: TAGS,
        summary: 'List the state of an asset',
        description: 'Keys in ascending order, with their values and who wrote them last.',
        params: assetStatePathSchema,
        querystring: assetStateListQuerySchema,
        response: { 200: assetStateCollectionSchema, ...stateErrorResponses(401, 404, 422) },
      },
    },
    async (request) => {
      const scope = await scopeOf(request.params.asset_id);
      const page = await backend.list(scope, { limit: request.query.limit, offset: request.query.offset });
      return { asset_state_store: page.entries.map(assetEntryResponse), total_entries: page.total };
    },
  );

  app.delete(
    BASE,
    {
      onRequest: family.op,
      schema: {
        tags: TAGS,
        summary: 'Clear the state of an asset',
        params: assetStatePathSchema,
        response: { 204: NO_CONTENT, ...stateErrorResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const scope = await scopeOf(request.params.asset_id);
      await backend.clear(scope, { writer: apiWriter(request) });
      return reply.code(204).send();
    },
  );

  registerStateKeyRoutes(app, family);
}

function assetEntryResponse(entry: StateEntry): AssetStateEntryResponse {
  return {
    key: entry.key,
    value: entry.value,
    version: entry.version,
    updated_at: iso(entry.updatedAt),
    last_updated_by: writerResponse(entry.updatedBy),
  };
}
