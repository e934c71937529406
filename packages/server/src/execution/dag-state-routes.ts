import {
  dagScope,
  InvalidStateOptionError,
  STATE_STORE_ROUTES,
  type StateValue,
  stateAdvanceRequestSchema,
  stateSetRequestSchema,
  validateStateKey,
} from '@tidemark/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.ts';
import { attemptOf } from './execution-auth.ts';
import { parseRequest } from './parse-request.ts';
import {
  type Addressed,
  assertCurrentAttemptUnlessFenced,
  dagExpiry,
  etag,
  getOrThrow,
  ifVersionOf,
  listKeys,
  type StateStoreContext,
  sendEntry,
  writeOptions,
} from './state-store-route-support.ts';

type KeyParams = { Params: { dag_id: string; key: string } };
type DagParams = { Params: { dag_id: string } };

/**
 * DAG state on the execution API (SPEC §17) — scope `(dag_id)`, shared by every run and task of
 * the DAG. A token may address only its own TI's DAG (another DAG: 403 `forbidden`):
 *
 *   GET    /execution/store/dag/{dag_id}/{key}          → 200 `{value, version, expires_at}` + ETag; 404 `state_not_found`
 *   PUT    /execution/store/dag/{dag_id}/{key}          → 204 + ETag; `retention` / `expires_at` (omitted: never expires)
 *   DELETE /execution/store/dag/{dag_id}/{key}          → 204 (idempotent; If-Match honoured)
 *   DELETE /execution/store/dag/{dag_id}                → 204 (every key of the DAG)
 *   GET    /execution/store/dag/{dag_id}                → 200 `{keys: [{key, version, expires_at}]}`
 *   POST   /execution/store/dag/{dag_id}/{key}/advance  → 200 `{value, version, advanced}`
 *
 * Writes are fenced like task state (409 `stale_attempt`); no staged writes (`on_success`: 422).
 */
export function registerDagStateRoutes(app: FastifyInstance, context: StateStoreContext): void {
  const { stateBackend: backend } = context;
  const preHandler = context.auth.requireAttempt;

  app.get<KeyParams>(STATE_STORE_ROUTES.dagKey, { preHandler }, async (request, reply) => {
    const at = await addressDag(context, request);
    return sendEntry(reply, await getOrThrow(backend, at, validateStateKey(request.params.key)));
  });

  app.put<KeyParams>(STATE_STORE_ROUTES.dagKey, { preHandler }, async (request, reply) => {
    const at = await addressDag(context, request);
    const key = validateStateKey(request.params.key);
    const body = parseRequest(stateSetRequestSchema, request.body, 'body');
    if (body.on_success) throw new InvalidStateOptionError('on_success applies to asset state only, not to DAG state');
    const ifVersion = ifVersionOf(request, body.if_version);
    const expiresAt = dagExpiry(context, body);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    const entry = await backend.set(at.scope, key, body.value as StateValue, {
      expiresAt,
      ...(ifVersion === undefined ? {} : { ifVersion }),
      ...writeOptions(at),
    });
    return reply.code(204).header('etag', etag(entry.version)).send();
  });

  app.delete<KeyParams>(STATE_STORE_ROUTES.dagKey, { preHandler }, async (request, reply) => {
    const at = await addressDag(context, request);
    const key = validateStateKey(request.params.key);
    const ifVersion = ifVersionOf(request, undefined);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    await backend.delete(at.scope, key, { ...(ifVersion === undefined ? {} : { ifVersion }), ...writeOptions(at) });
    return reply.code(204).send();
  });

  app.delete<DagParams>(STATE_STORE_ROUTES.dagKeys, { preHandler }, async (request, reply) => {
    const at = await addressDag(context, request);
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    await backend.clear(at.scope, writeOptions(at));
    return reply.code(204).send();
  });

  app.get<DagParams>(STATE_STORE_ROUTES.dagKeys, { preHandler }, async (request) => {
    return listKeys(backend, await addressDag(context, request));
  });

  app.post<KeyParams>(STATE_STORE_ROUTES.dagAdvance, { preHandler }, async (request) => {
    const at = await addressDag(context, request);
    const key = validateStateKey(request.params.key);
    const body = parseRequest(stateAdvanceRequestSchema, request.body, 'body');
    if (body.on_success) throw new InvalidStateOptionError('on_success applies to asset state only, not to DAG state');
    await assertCurrentAttemptUnlessFenced(context, at.claims);
    return backend.advance(at.scope, key, body.value, writeOptions(at));
  });
}

/** The token's own DAG, which the path must name. */
async function addressDag(context: StateStoreContext, request: FastifyRequest): Promise<Addressed> {
  const claims = attemptOf(request);
  const identity = await context.identities.get(claims.sub);
  const { dag_id: dagId } = request.params as { dag_id: string };
  if (dagId !== identity.dagId) {
    throw new ForbiddenError(
      `the token of task instance ${claims.sub} (DAG "${identity.dagId}") may not touch the state of DAG "${dagId}"; ` +
        'a task reads and writes only the DAG state of its own DAG',
    );
  }
  return { claims, identity, scope: dagScope(dagId), where: `DAG "${dagId}"` };
}
