import {
  EXECUTION_ROUTES,
  encodeStateValue,
  type JsonValue,
  validateStateKey,
  xcomPullQuerySchema,
  xcomValueSchema,
} from '@tidemark/core';
import { findSerializedTask, getMappedXcoms, getXcom, pushAttemptXcom } from '@tidemark/db';
import type { FastifyInstance } from 'fastify';
import { XcomNotFoundError } from '../errors.ts';
import { attemptOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';
import type { TaskInstanceIdentity } from './task-instance-identities.ts';

/**
 * GET …/xcom?task_id=&map_index=&key= (attempt token) → 200 `{value}` or 404 `xcom_not_found`,
 * from the token's DAG run. Without `map_index`, a mapped task's XComs come back as one array in
 * map-index order. Reads are allowed from a stale attempt.
 *
 * PUT …/xcom/{key} body `{value}` → 204; 409 from a stale attempt, 413 over
 * `state.max_value_bytes`, 422 for `null` or a value that is not JSON.
 */
export function registerXcomRoutes(app: FastifyInstance, context: ExecutionContext): void {
  app.get(EXECUTION_ROUTES.xcomPull, { preHandler: context.auth.requireAttempt }, async (request) => {
    const query = parseRequest(xcomPullQuerySchema, request.query, 'query');
    const ti = await context.identities.get(attemptOf(request).sub);
    return { value: await pullXcom(context, ti, query) };
  });

  app.put<{ Params: { ti_id: string; key: string } }>(
    EXECUTION_ROUTES.xcomPush,
    { preHandler: context.auth.requireAttempt },
    async (request, reply) => {
      const claims = attemptOf(request);
      const key = validateStateKey(request.params.key);
      const { value } = parseRequest(xcomValueSchema, request.body, 'body');
      const json = encodeStateValue(value, context.config.state.max_value_bytes);
      await pushAttemptXcom(context.database, {
        tiId: claims.sub,
        tryNumber: claims.try,
        key,
        value: json,
        now: context.now(),
      });
      return reply.code(204).send();
    },
  );
}

async function pullXcom(
  context: ExecutionContext,
  ti: TaskInstanceIdentity,
  query: { readonly task_id: string; readonly map_index?: number | undefined; readonly key: string },
): Promise<JsonValue> {
  const { db } = context.database;
  if (query.map_index === undefined) {
    const upstream = await findSerializedTask(db, ti.dagId, query.task_id);
    if (upstream?.mapOver) {
      return getMappedXcoms(db, { dagRunId: ti.dagRunId, taskId: query.task_id, key: query.key });
    }
  }
  const mapIndex = query.map_index ?? -1;
  const value = await getXcom(db, { dagRunId: ti.dagRunId, taskId: query.task_id, mapIndex, key: query.key });
  if (value === undefined)
    throw new XcomNotFoundError({ runId: ti.runId, taskId: query.task_id, mapIndex, key: query.key });
  return value;
}
