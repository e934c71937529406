import {
  InvalidStateOptionError,
  STATE_STORE_ROUTES,
  type StateValue,
  stateAdvanceRequestSchema,
  stateSetRequestSchema,
  taskScope,
  taskStateQuerySchema,
  validateStateItemKey,
  validateStateKey,
} from '@tidemark/core';
import { recordStateItemKey } from '@tidemark/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AttemptTokenClaims } from './attempt-token.ts';
import { attemptOf } from './execution-auth.ts';
import { parseRequest } from './parse-request.ts';
import {
  type Addressed,
  assertCurrentAttemptUnlessFenced,
  etag,
  getOrThrow,
  ifVersionOf,
  listKeys,
  type StateStoreContext,
  sendEntry,
  taskExpiry,
  writeOptions,
} from './state-store-route-support.ts';

type KeyParams = { Params: { ti_id: string; key: string } };
type TiParams = { Params: { ti_id: string } };

/**
 * Task state on the execution API — scope `(dag_id, run_id, task_id, map_index)` of the token's TI,
 * or `(dag_id, run_id, task_id, item key)` with `?item_key=` (see registerStateStoreRoutes for the
 * routes and their answers).
 */
export function registerTaskStateRoutes(app: FastifyInstance, context: StateStoreContext): void {
  const { stateBackend: backend } = context;
  const preHandler = context.auth.requireAttempt;
  const itemKeys = new RecordedItemKeys();

  app.get<KeyParams>(STATE_STORE_ROUTES.taskKey, { preHandler }, async (request, reply) => {
    const at = await addressTask(context, request, itemKeys);
    return sendEntry(reply, await getOrThrow(backend, at, validateStateKey(request.params.key)));
  });

  app.put<KeyParams>(STATE_STORE_ROUTES.taskKey, { preHandler }, async (request, reply) => {
    const at = await addressTask(context, request, itemKeys);
    const key = validateStateKey(request.params.key);
    const body = parseRequest(stateSetRequestSchema, request.body, 'body');
    if (body.on_success) throw new InvalidStateOptionError('on_success applies to asset state only');
    const ifVersion = ifVersionOf(request, body.if_version);
    const expiresAt = taskExpiry(context, body);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    const entry = await backend.set(at.scope, key, body.value as StateValue, {
      expiresAt,
      ...(ifVersion === undefined ? {} : { ifVersion }),
      ...writeOptions(at),
    });
    return reply.code(204).header('etag', etag(entry.version)).send();
  });

  app.delete<KeyParams>(STATE_STORE_ROUTES.taskKey, { preHandler }, async (request, reply) => {
    const at = await addressTask(context, request, itemKeys);
    const key = validateStateKey(request.params.key);
    const ifVersion = ifVersionOf(request, undefined);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    await backend.delete(at.scope, key, { ...(ifVersion === undefined ? {} : { ifVersion }), ...writeOptions(at) });
    return reply.code(204).send();
  });

  app.delete<TiParams>(STATE_STORE_ROUTES.taskKeys, { preHandler }, async (request, reply) => {
    const at = await addressTask(context, request, itemKeys);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    await backend.clear(at.scope, writeOptions(at));
    return reply.code(204).send();
  });

  app.get<TiParams>(STATE_STORE_ROUTES.taskKeys, { preHandler }, async (request) => {
    return listKeys(backend, await addressTask(context, request, itemKeys));
  });

  app.post<KeyParams>(STATE_STORE_ROUTES.taskAdvance, { preHandler }, async (request) => {
    const at = await addressTask(context, request, itemKeys);
    const key = validateStateKey(request.params.key);
    const body = parseRequest(stateAdvanceRequestSchema, request.body, 'body');
    if (body.on_success) throw new InvalidStateOptionError('on_success applies to asset state only');
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    return backend.advance(at.scope, key, body.value, writeOptions(at));
  });
}

async function addressTask(
  context: StateStoreContext,
  request: FastifyRequest,
  itemKeys: RecordedItemKeys,
): Promise<Addressed> {
  const claims = attemptOf(request);
  const identity = await context.identities.get(claims.sub);
  const { item_key: itemKey } = parseRequest(taskStateQuerySchema, request.query, 'query');
  const path = `task ${identity.dagId}/${identity.runId}/${identity.taskId}`;
  if (itemKey === undefined) {
    const mapped = identity.mapIndex === -1 ? '' : `[${identity.mapIndex}]`;
    return { claims, identity, scope: taskScope(identity), where: `${path}${mapped}` };
  }
  validateStateItemKey(itemKey);
  if (identity.mapIndex === -1) {
    throw new InvalidStateOptionError(
      `item_key applies to a mapped task instance (declared with stateKey); ${path} is not mapped`,
    );
  }
  await itemKeys.record(context, claims, itemKey);
  return {
    claims,
    identity,
    scope: taskScope({ ...identity, itemKey }),
    where: `${path} item ${JSON.stringify(itemKey)}`,
  };
}

/**
 * SPEC §17: the item key each attempt uses is recorded on its TI (`state_item_key`), so that a
 * clear of the TI discards that item's state. Recorded once per attempt and key: this cache skips
 * the write on every later request.
 */
class RecordedItemKeys {
  readonly #seen = new Set<string>();

  async record(context: StateStoreContext, claims: AttemptTokenClaims, itemKey: string): Promise<void> {
    const seen = `${claims.sub}\u0000${claims.try}\u0000${itemKey}`;
    if (this.#seen.has(seen)) return;
    await recordStateItemKey(context.database.db, claims.sub, claims.try, itemKey);
    if (this.#seen.size >= MAX_RECORDED_ITEM_KEYS) this.#seen.clear();
    this.#seen.add(seen);
  }
}

const MAX_RECORDED_ITEM_KEYS = 10_000;
