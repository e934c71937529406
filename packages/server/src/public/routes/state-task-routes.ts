import {
  ifMatchHeadersSchema,
  patchStateBodySchema,
  putTaskStateBodySchema,
  type StateEntry,
  type StateValue,
  stateHistorySchema,
  type TaskScope,
  type TaskStateEntryResponse,
  taskScope,
  taskStateClearQuerySchema,
  taskStateCollectionSchema,
  taskStateEntrySchema,
  taskStateHistoryPathSchema,
  taskStateKeyPathSchema,
  taskStateListQuerySchema,
  taskStateMapIndexQuerySchema,
  taskStatePathSchema,
} from '@tidemark/core';
import { countMappedTaskInstances, findRunTaskInstance } from '@tidemark/db';
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
} from './state-route-support.ts';
import { TaskInstanceNotInRunError } from './task-instance-errors.ts';
import { requireDagRun, requireTaskInstance } from './task-instance-lookup.ts';

const TAGS = ['Task State'];
const BASE = '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/state-store';

interface TiPath {
  readonly dag_id: string;
  readonly dag_run_id: string;
  readonly task_id: string;
}

/**
 * SPEC §11.2 task state (Airflow 3.3's core API shapes): list, get, PUT, PATCH, DELETE a key,
 * clear (`all_map_indices`), history. Reads need `viewer`, writes `op`; every write is recorded as
 * written by the API user and is compare-and-set when `If-Match` is sent.
 */
export function registerStateTaskRoutes(app: PublicApp, context: PublicRouteContext): void {
  const { db } = context.database;
  const viewer = context.auth.requireRole('viewer');
  const op = context.auth.requireRole('op');
  const backend = context.stateBackend;

  /** The TI's scope; 404 for an unknown run or TI. */
  const scopeOf = async (params: TiPath, mapIndex: number | undefined): Promise<TaskScope> => {
    const { ti } = await requireTaskInstance(db, {
      dagId: params.dag_id,
      runId: params.dag_run_id,
      taskId: params.task_id,
      mapIndex,
    });
    return taskScope({ dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index });
  };

  app.get(
    BASE,
    {
      onRequest: viewer,
      schema: {
        tags: TAGS,
        summary: 'List the task state of a task instance',
        description: 'Keys in ascending order with their values; expired keys are left out.',
        params: taskStatePathSchema,
        querystring: taskStateListQuerySchema,
        response: { 200: taskStateCollectionSchema, ...stateErrorResponses(401, 404, 422) },
      },
    },
    async (request) => {
      const scope = await scopeOf(request.params, request.query.map_index);
      const page = await backend.list(scope, { limit: request.query.limit, offset: request.query.offset });
      return { task_state_store: page.entries.map(taskEntryResponse), total_entries: page.total };
    },
  );

  app.delete(
    BASE,
    {
      onRequest: op,
      schema: {
        tags: TAGS,
        summary: 'Clear the task state of a task instance',
        description:
          'Deletes every key of the TI. With `all_map_indices=true`, every map index of the task in that run.',
        params: taskStatePathSchema,
        querystring: taskStateClearQuerySchema,
        response: { 204: NO_CONTENT, ...stateErrorResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const { params, query } = request;
      const scope = query.all_map_indices
        ? await anyMapIndexScope(params, query.map_index)
        : await scopeOf(params, query.map_index);
      await backend.clear(scope, { allMapIndices: query.all_map_indices, writer: apiWriter(request) });
      return reply.code(204).send();
    },
  );

  app.get(
    `${BASE}/:key/history`,
    {
      onRequest: viewer,
      schema: {
        tags: TAGS,
        summary: 'Get the history of a task-state key',
        description: 'Newest first, at most `state.history_depth` versions. URL-encode a `/` in the key (`%2F`).',
        params: taskStateHistoryPathSchema,
        querystring: taskStateMapIndexQuerySchema,
        response: { 200: stateHistorySchema, ...stateErrorResponses(401, 404, 422) },
      },
    },
    async (request) => {
      const scope = await scopeOf(request.params, request.query.map_index);
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
          summary: 'Get a task-state key',
          description: 'The key is the rest of the path and may contain `/`. `ETag` carries the version.',
          params: taskStateKeyPathSchema,
          querystring: taskStateMapIndexQuerySchema,
          response: { 200: taskStateEntrySchema, ...stateErrorResponses(401, 404, 422) },
        },
      },
      async (request, reply) => {
        const { key } = request.params;
        const scope = await scopeOf(request.params, request.query.map_index);
        const entry = await backend.get(scope, key);
        if (!entry) throw new StateNotFoundError(key, describeTi(scope));
        withETag(reply, entry);
        return taskEntryResponse(entry);
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
          summary: 'Set a task-state key',
          description:
            'Creates or replaces the value. `expires_at`: `"default"` (now + `state.default_retention`; a retention ' +
            'of 0 never expires), `null` (never) or an ISO-8601 time. `If-Match: "<version>"` writes only at that ' +
            'version (`"0"`: only if absent).',
          params: taskStateKeyPathSchema,
          querystring: taskStateMapIndexQuerySchema,
          headers: ifMatchHeadersSchema,
          body: putTaskStateBodySchema,
          response: { 200: taskStateEntrySchema, ...stateErrorResponses(401, 403, 404, 412, 413, 422) },
        },
      },
      async (request, reply) => {
        const { key } = request.params;
        const scope = await scopeOf(request.params, request.query.map_index);
        const ifVersion = ifMatchVersion(request.headers);
        const entry = await backend.set(scope, key, request.body.value as StateValue, {
          expiresAt: expiryOf(request.body.expires_at),
          writer: apiWriter(request),
          ...(ifVersion === undefined ? {} : { ifVersion }),
        });
        withETag(reply, entry);
        return taskEntryResponse(entry);
      },
    );
  }

  for (const twin of KEY_ROUTE_TWINS) {
    app.patch(
      `${BASE}${twin.suffix}`,
      {
        onRequest: op,
        preValidation: wildcardToKey,
        schema: {
          hide: twin.hide,
          tags: TAGS,
          summary: 'Replace the value of a task-state key',
          description: 'The key must exist; its expiry stays as it is. `If-Match` as for PUT.',
          params: taskStateKeyPathSchema,
          querystring: taskStateMapIndexQuerySchema,
          headers: ifMatchHeadersSchema,
          body: patchStateBodySchema,
          response: { 200: taskStateEntrySchema, ...stateErrorResponses(401, 403, 404, 412, 413, 422) },
        },
      },
      async (request, reply) => {
        const { key } = request.params;
        const scope = await scopeOf(request.params, request.query.map_index);
        const current = await backend.get(scope, key);
        if (!current) throw new StateNotFoundError(key, describeTi(scope));
        // Without If-Match, CAS on the version just read, so the expiry kept is the one of the value replaced.
        const entry = await backend.set(scope, key, request.body.value as StateValue, {
          expiresAt: current.expiresAt,
          ifVersion: ifMatchVersion(request.headers) ?? current.version,
          writer: apiWriter(request),
        });
        withETag(reply, entry);
        return taskEntryResponse(entry);
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
          summary: 'Delete a task-state key',
          description: 'Idempotent: deleting an absent key answers 204 too, unless `If-Match` names a version.',
          params: taskStateKeyPathSchema,
          querystring: taskStateMapIndexQuerySchema,
          headers: ifMatchHeadersSchema,
          response: { 204: NO_CONTENT, ...stateErrorResponses(401, 403, 404, 412, 422) },
        },
      },
      async (request, reply) => {
        const { key } = request.params;
        const scope = await scopeOf(request.params, request.query.map_index);
        const ifVersion = ifMatchVersion(request.headers);
        await backend.delete(scope, key, {
          writer: apiWriter(request),
          ...(ifVersion === undefined ? {} : { ifVersion }),
        });
        return reply.code(204).send();
      },
    );
  }

  /** `all_map_indices`: the task must have a TI in the run; a mapped task needs no map_index. */
  async function anyMapIndexScope(params: TiPath, mapIndex: number | undefined): Promise<TaskScope> {
    if (mapIndex !== undefined) return scopeOf(params, mapIndex);
    const run = await requireDagRun(db, params.dag_id, params.dag_run_id);
    const unmapped = await findRunTaskInstance(db, { dagRunId: run.id, taskId: params.task_id, mapIndex: -1 });
    const mapped = unmapped ? 0 : await countMappedTaskInstances(db, { dagRunId: run.id, taskId: params.task_id });
    if (!unmapped && mapped === 0) {
      throw new TaskInstanceNotInRunError({ dagId: run.dagId, runId: run.runId, taskId: params.task_id, mapIndex: -1 });
    }
    return taskScope({ dagId: run.dagId, runId: run.runId, taskId: params.task_id });
  }

  function expiryOf(expiresAt: string | null): number | null {
    if (expiresAt === null) return null;
    if (expiresAt === 'default') {
      const retention = context.config.state.default_retention;
      return retention === 0 ? null : context.now() + retention;
    }
    return Date.parse(expiresAt);
  }
}

function taskEntryResponse(entry: StateEntry): TaskStateEntryResponse {
  return {
    key: entry.key,
    value: entry.value,
    version: entry.version,
    updated_at: iso(entry.updatedAt),
    expires_at: entry.expiresAt === null ? null : iso(entry.expiresAt),
  };
}

function describeTi(scope: TaskScope): string {
  const mapped = scope.mapIndex === -1 ? '' : ` at map index ${scope.mapIndex}`;
  return `task instance "${scope.taskId}"${mapped} of run "${scope.runId}"`;
}
