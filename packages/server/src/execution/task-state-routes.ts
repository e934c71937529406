import {
  InvalidStateOptionError,
  STATE_STORE_ROUTES,
  type StateValue,
  stateAdvanceRequestSchema,
  stateSetRequestSchema,
  taskScope,
  validateStateKey,
} from '@tidemark/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
 * Task state on the execution API — scope `(dag_id, run_id, task_id, map_index)` of the token's TI
 * (see registerStateStoreRoutes for the routes and their answers).
 */
export function registerTaskStateRoutes(app: FastifyInstance, context: StateStoreContext): void {
  const { stateBackend: backend } = context;
  const preHandler = context.auth.requireAttempt;

  app.get<KeyParams>(STATE_STORE_ROUTES.taskKey, { preHandler }, async (request, reply) => {
    const at = await addressTask(context, request);
    return sendEntry(reply, await getOrThrow(backend, at, validateStateKey(request.params.key)));
  });

  app.put<KeyParams>(STATE_STORE_ROUTES.taskKey, { preHandler }, async (request, reply) => {
    const at = await addressTask(context, request);
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
    const at = await addressTask(context, request);
    const key = validateStateKey(request.params.key);
    const ifVersion = ifVersionOf(request, undefined);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    await backend.delete(at.scope, key, { ...(ifVersion === undefined ? {} : { ifVersion }), ...writeOptions(at) });
    return reply.code(204).send();
  });

  app.delete<TiParams>(STATE_STORE_ROUTES.taskKeys, { preHandler }, async (request, reply) => {
    const at = await addressTask(context, request);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    await backend.clear(at.scope, writeOptions(at));
    return reply.code(204).send();
  });

  app.get<TiParams>(STATE_STORE_ROUTES.taskKeys, { preHandler }, async (request) => {
    return listKeys(backend, await addressTask(context, request));
  });

  app.post<KeyParams>(STATE_STORE_ROUTES.taskAdvance, { preHandler }, async (request) => {
    const at = await addressTask(context, request);
    const key = validateStateKey(request.params.key);
    const body = parseRequest(stateAdvanceRequestSchema, request.body, 'body');
    if (body.on_success) throw new InvalidStateOptionError('on_success applies to asset state only');
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    return backend.advance(at.scope, key, body.value, writeOptions(at));
  });
}

async function addressTask(context: StateStoreContext, request: FastifyRequest): Promise<Addressed> {
  const claims = attemptOf(request);
  const identity = await context.identities.get(claims.sub);
  const scope = taskScope(identity);
  const mapped = identity.mapIndex === -1 ? '' : `[${identity.mapIndex}]`;
  return { claims, identity, scope, where: `task ${identity.dagId}/${identity.runId}/${identity.taskId}${mapped}` };
}
