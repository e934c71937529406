import {
  AssetNotFoundError,
  type AssetScope,
  type AssetStateEntryResponse,
  assetScope,
  assetStateCollectionSchema,
  assetStateEntrySchema,
  assetStateHistoryPathSchema,
  assetStateKeyPathSchema,
  assetStateListQuerySchema,
  assetStatePathSchema,
  ifMatchHeadersSchema,
  putAssetStateBodySchema,
  type StateEntry,
  type StateValue,
  stateHistorySchema,
} from '@tidemark/core';
import { findAsset } from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { iso } from './dag-route-support.ts';
import {
  apiWriter,
  historyResponse,
  ifMatchVersion,
  KEY_ROUTE_TWINS,
  NO_CONTENT,
  StateNotFoundError,
  stateErrorResponses,
  wildcardToKey,
  withETag,
  writerResponse,
} from './state-route-support.ts';

const TAGS = ['Asset State'];
const BASE = '/assets/:asset_id/state-store';

/**
 * SPEC §11.2 asset state: list (with `last_updated_by`), get, PUT, DELETE a key, clear, history.
 * Asset state never expires, so PUT refuses `expires_at` (422). Reads need `viewer`, writes `op`.
 */
export function registerStateAssetRoutes(app: PublicApp, context: PublicRouteContext): void {
  const viewer = context.auth.requireRole('viewer');
  const op = context.auth.requireRole('op');
  const backend = context.stateBackend;

  /** 404 for an unknown asset (inactive assets keep their state and stay addressable). */
  const scopeOf = async (assetId: number): Promise<AssetScope> => {
    const asset = await findAsset(context.database.db, assetId);
    if (!asset) throw new AssetNotFoundError(`with id ${assetId}`);
    return assetScope(assetId);
  };

  app.get(
    BASE,
    {
      onRequest: viewer,
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
      onRequest: op,
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

  app.get(
    `${BASE}/:key/history`,
    {
      onRequest: viewer,
      schema: {
        tags: TAGS,
        summary: 'Get the history of an asset-state key',
        description: 'Newest first, at most `state.history_depth` versions. URL-encode a `/` in the key (`%2F`).',
        params: assetStateHistoryPathSchema,
        response: { 200: stateHistorySchema, ...stateErrorResponses(401, 404, 422) },
      },
    },
    async (request) => {
      const scope = await scopeOf(request.params.asset_id);
      return historyResponse(await backend.history(scope, request.params.key));
    },
  );

  for (const twin of KEY_ROUTE_TWINS) {
    app.get(
      `${BASE}${twin.suffix}`,
      {
        onRequest: viewer,
        preValidation: wildcardToKey,
        schema: {
          hide: twin.hide,
          tags: TAGS,
          summary: 'Get an asset-state key',
          description: 'The key is the rest of the path and may contain `/`. `ETag` carries the version.',
          params: assetStateKeyPathSchema,
          response: { 200: assetStateEntrySchema, ...stateErrorResponses(401, 404, 422) },
        },
      },
      async (request, reply) => {
        const { key } = request.params;
        const scope = await scopeOf(request.params.asset_id);
        const entry = await backend.get(scope, key);
        if (!entry) throw new StateNotFoundError(key, `asset ${scope.assetId}`);
        withETag(reply, entry);
        return assetEntryResponse(entry);
      },
    );
  }

  for (const twin of KEY_ROUTE_TWINS) {
    app.put(
      `${BASE}${twin.suffix}`,
      {
        onRequest: op,
        preValidation: wildcardToKey,
        schema: {
          hide: twin.hide,
          tags: TAGS,
          summary: 'Set an asset-state key',
          description:
            'Creates or replaces the value (asset state never expires: `expires_at` is refused). ' +
            '`If-Match: "<version>"` writes only at that version (`"0"`: only if absent).',
          params: assetStateKeyPathSchema,
          headers: ifMatchHeadersSchema,
          body: putAssetStateBodySchema,
          response: { 200: assetStateEntrySchema, ...stateErrorResponses(401, 403, 404, 412, 413, 422) },
        },
      },
      async (request, reply) => {
        const { key } = request.params;
        const scope = await scopeOf(request.params.asset_id);
        const ifVersion = ifMatchVersion(request.headers);
        const entry = await backend.set(scope, key, request.body.value as StateValue, {
          writer: apiWriter(request),
          ...(ifVersion === undefined ? {} : { ifVersion }),
        });
        withETag(reply, entry);
        return assetEntryResponse(entry);
      },
    );
  }

  for (const twin of KEY_ROUTE_TWINS) {
    app.delete(
      `${BASE}${twin.suffix}`,
      {
        onRequest: op,
        preValidation: wildcardToKey,
        schema: {
          hide: twin.hide,
          tags: TAGS,
          summary: 'Delete an asset-state key',
          description: 'Idempotent: deleting an absent key answers 204 too, unless `If-Match` names a version.',
          params: assetStateKeyPathSchema,
          headers: ifMatchHeadersSchema,
          response: { 204: NO_CONTENT, ...stateErrorResponses(401, 403, 404, 412, 422) },
        },
      },
      async (request, reply) => {
        const { key } = request.params;
        const scope = await scopeOf(request.params.asset_id);
        const ifVersion = ifMatchVersion(request.headers);
        await backend.delete(scope, key, {
          writer: apiWriter(request),
          ...(ifVersion === undefined ? {} : { ifVersion }),
        });
        return reply.code(204).send();
      },
    );
  }
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
