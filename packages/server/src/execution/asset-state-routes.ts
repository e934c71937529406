import {
  assertAdvanceable,
  assetScope,
  assetStateQuerySchema,
  encodeStateValue,
  InvalidStateOptionError,
  STATE_STORE_ROUTES,
  type StateValue,
  stateAdvanceRequestSchema,
  stateSetRequestSchema,
} from '@tidemark/core';
import { findSerializedTask, stageAssetWrite, stateValueCipher } from '@tidemark/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { attemptOf } from './execution-auth.ts';
import { parseRequest } from './parse-request.ts';
import { resolveDeclaredAsset } from './state-store-assets.ts';
import {
  type Addressed,
  assertCurrentAttempt,
  assertCurrentAttemptUnlessFenced,
  etag,
  getOrThrow,
  ifVersionOf,
  listKeys,
  requireKey,
  type StateStoreContext,
  sendEntry,
  writeOptions,
  writerOf,
} from './state-store-route-support.ts';

/**
 * Asset state on the execution API — an inlet or outlet of the token's TI's task, by `?name=` or
 * `?uri=`; writes may be staged until the attempt succeeds (see registerStateStoreRoutes).
 */
export function registerAssetStateRoutes(app: FastifyInstance, context: StateStoreContext): void {
  const { stateBackend: backend } = context;
  const preHandler = context.auth.requireAttempt;

  const assetRoutes = [
    {
      by: 'name',
      value: STATE_STORE_ROUTES.assetByNameValue,
      clear: STATE_STORE_ROUTES.assetByNameClear,
      advance: STATE_STORE_ROUTES.assetByNameAdvance,
      keys: STATE_STORE_ROUTES.assetByNameKeys,
    },
    {
      by: 'uri',
      value: STATE_STORE_ROUTES.assetByUriValue,
      clear: STATE_STORE_ROUTES.assetByUriClear,
      advance: STATE_STORE_ROUTES.assetByUriAdvance,
      keys: STATE_STORE_ROUTES.assetByUriKeys,
    },
  ] as const;

  for (const routes of assetRoutes) {
    const address = (request: FastifyRequest) => addressAsset(context, request, routes.by);

    app.get(routes.value, { preHandler }, async (request, reply) => {
      const { at, key } = await address(request);
      return sendEntry(reply, await getOrThrow(backend, at, requireKey(key)));
    });

    app.put(routes.value, { preHandler }, async (request, reply) => {
      const { at, key: rawKey } = await address(request);
      const key = requireKey(rawKey);
      const body = parseRequest(stateSetRequestSchema, request.body, 'body');
      if (body.retention !== undefined || (body.expires_at !== undefined && body.expires_at !== null)) {
        throw new InvalidStateOptionError(
          'asset state never expires; expires_at and retention apply to task state only',
        );
      }
      const ifVersion = ifVersionOf(request, body.if_version);
      await assertCurrentAttemptUnlessFenced(context, at.claims);
      if (body.on_success) {
        if (ifVersion !== undefined) {
          throw new InvalidStateOptionError('a staged write (on_success) cannot carry If-Match / if_version');
        }
        const json = encodeStateValue(body.value, context.config.state.max_value_bytes);
        await stage(context, at, key, 'set', json);
        return reply.code(202).send({ staged: true });
      }
      const entry = await backend.set(at.scope, key, body.value as StateValue, {
        ...(ifVersion === undefined ? {} : { ifVersion }),
        ...writeOptions(at),
      });
      return reply.code(204).header('etag', etag(entry.version)).send();
    });

    app.delete(routes.value, { preHandler }, async (request, reply) => {
      const { at, key: rawKey } = await address(request);
      const key = requireKey(rawKey);
      const ifVersion = ifVersionOf(request, undefined);
      await assertCurrentAttemptUnlessFenced(context, at.claims);
      await backend.delete(at.scope, key, { ...(ifVersion === undefined ? {} : { ifVersion }), ...writeOptions(at) });
      return reply.code(204).send();
    });

    app.delete(routes.clear, { preHandler }, async (request, reply) => {
      const { at } = await address(request);
      await assertCurrentAttemptUnlessFenced(context, at.claims);
      await backend.clear(at.scope, writeOptions(at));
      return reply.code(204).send();
    });

    app.post(routes.advance, { preHandler }, async (request, reply) => {
      const { at, key: rawKey } = await address(request);
      const key = requireKey(rawKey);
      const body = parseRequest(stateAdvanceRequestSchema, request.body, 'body');
      await assertCurrentAttemptUnlessFenced(context, at.claims);
      if (body.on_success) {
        assertAdvanceable(key, body.value);
        const json = encodeStateValue(body.value, context.config.state.max_value_bytes);
        await stage(context, at, key, 'advance', json);
        return reply.code(202).send({ staged: true });
      }
      return backend.advance(at.scope, key, body.value, writeOptions(at));
    });

    app.get(routes.keys, { preHandler }, async (request) => listKeys(backend, (await address(request)).at));
  }
}

async function addressAsset(
  context: StateStoreContext,
  request: FastifyRequest,
  by: 'name' | 'uri',
): Promise<{ at: Addressed; key: string | undefined }> {
  const claims = attemptOf(request);
  const query = parseRequest(assetStateQuerySchema, request.query, 'query');
  const identity = await context.identities.get(claims.sub);
  const task = await findSerializedTask(context.database.db, identity.dagId, identity.taskId);
  const asset = await resolveDeclaredAsset(context.database.db, {
    by,
    value: query[by],
    task,
    taskId: identity.taskId,
  });
  return {
    at: { claims, identity, scope: assetScope(asset.id), where: `asset "${asset.name}"` },
    key: query.key,
  };
}

async function stage(
  context: StateStoreContext,
  at: Addressed,
  key: string,
  operation: 'set' | 'advance',
  json: string,
): Promise<void> {
  if (at.scope.kind !== 'asset') throw new Error('only asset writes are staged');
  await assertCurrentAttempt(context, at.claims);
  await stageAssetWrite(
    context.database.db,
    {
      tiId: at.claims.sub,
      tryNumber: at.claims.try,
      assetId: at.scope.assetId,
      key,
      operation,
      value: json,
      writtenBy: JSON.stringify(writerOf(at)),
      now: context.now(),
    },
    stateValueCipher(context.config),
  );
}
