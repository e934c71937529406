import {
  InvalidStateOptionError,
  ifMatchHeadersSchema,
  patchStateBodySchema,
  putTaskStateBodySchema,
  type StateEntry,
  type StateScope,
  type TaskScope,
  type TaskStateEntryResponse,
  taskScope,
  taskStateClearQuerySchema,
  taskStateCollectionSchema,
  taskStateEntrySchema,
  taskStateKeyPathSchema,
  taskStateListQuerySchema,
  taskStateMapIndexQuerySchema,
  taskStatePathSchema,
  validateStateItemKey,
} from '@tidemark/core';
import { countMappedTaskInstances, findRunTaskInstance } from '@tidemark/db';
import { TaskInstanceNotInRunError } from '../../errors.ts';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { iso } from './dag-route-support.ts';
import {
  bodyValue,
  casOf,
  type KeyRequest,
  registerKeyRoute,
  registerStateKeyRoutes,
  requireEntry,
  type StateKeyFamily,
  scopedKey,
  sendEntry,
} from './state-key-routes.ts';
import { apiWriter, NO_CONTENT, stateErrorResponses } from './state-route-support.ts';
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
 * clear (`all_map_indices`), history and restore. Reads need `viewer`, writes `op`; every write is
 * recorded as written by the API user and is compare-and-set when `If-Match` is sent.
 */
export function registerStateTaskRoutes(app: PublicApp, context: PublicRouteContext): void {
  const { db } = context.database;
  const backend = context.stateBackend;

  /**
   * The TI's scope; 404 for an unknown run or TI. With `item_key` (SPEC §17), the state of that item
   * of the mapped task, whatever map index it has now; the task must have mapped TIs in the run.
   */
  const scopeOf = async (params: TiPath, mapIndex: number | undefined, itemKey?: string): Promise<TaskScope> => {
    if (itemKey !== undefined) return itemScope(params, mapIndex, itemKey);
    const { ti } = await requireTaskInstance(db, {
      dagId: params.dag_id,
      runId: params.dag_run_id,
      taskId: params.task_id,
      mapIndex,
    });
    return taskScope({ dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index });
  };

  const defaultExpiry = (): number | null => {
    const retention = context.config.state.default_retention;
    return retention === 0 ? null : context.now() + retention;
  };

  const family: StateKeyFamily = {
    base: BASE,
    tags: TAGS,
    noun: 'task-state',
    keyPath: taskStateKeyPathSchema,
    keyQuery: taskStateMapIndexQuerySchema,
    entrySchema: taskStateEntrySchema,
    putBody: putTaskStateBodySchema,
    putDescription:
      'Creates or replaces the value. `expires_at`: `"default"` (now + `state.default_retention`; a retention ' +
      'of 0 never expires), `null` (never) or an ISO-8601 time. `If-Match: "<version>"` writes only at that ' +
      'version (`"0"`: only if absent).',
    backend,
    viewer: context.auth.requireRole('viewer'),
    op: context.auth.requireRole('op'),
    scopeOf: (request: KeyRequest) =>
      scopeOf(
        request.params as unknown as TiPath,
        request.query.map_index as number | undefined,
        request.query.item_key as string | undefined,
      ),
    describe: describeTi,
    respond: taskEntryResponse,
    expiryOfPut: (body) => expiryOf((body as { expires_at: string | null }).expires_at),
    // A restored value keeps the expiry of the value it replaces; a deleted key gets the default.
    expiryOfRestore: (current) => (current ? current.expiresAt : defaultExpiry()),
  };

  app.get(
    BASE,
    {
      onRequest: family.viewer,
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
      const scope = await scopeOf(request.params, request.query.map_index, request.query.item_key);
      const page = await backend.list(scope, { limit: request.query.limit, offset: request.query.offset });
      return { task_state_store: page.entries.map(taskEntryResponse), total_entries: page.total };
    },
  );

  app.delete(
    BASE,
    {
      onRequest: family.op,
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
      if (query.all_map_indices && query.item_key !== undefined) {
        throw new InvalidStateOptionError(
          'all_map_indices clears every map index and every item key of the task; do not send item_key with it',
        );
      }
      const scope = query.all_map_indices
        ? await anyMapIndexScope(params, query.map_index)
        : await scopeOf(params, query.map_index, query.item_key);
      await backend.clear(scope, { allMapIndices: query.all_map_indices, writer: apiWriter(request) });
      return reply.code(204).send();
    },
  );

  registerStateKeyRoutes(app, family);

  registerKeyRoute(app, family, {
    method: 'PATCH',
    onRequest: family.op,
    schema: {
      summary: 'Replace the value of a task-state key',
      description: 'The key must exist; its expiry stays as it is. `If-Match` as for PUT.',
      headers: ifMatchHeadersSchema,
      body: patchStateBodySchema,
      response: { 200: taskStateEntrySchema, ...stateErrorResponses(401, 403, 404, 412, 413, 422) },
    },
    handler: async (request, reply) => {
      const { scope, key } = await scopedKey(family, request);
      const current = await requireEntry(family, scope, key);
      // Without If-Match, CAS on the version just read, so the expiry kept is the one of the value replaced.
      const entry = await backend.set(scope, key, bodyValue(request.body as { value: unknown }), {
        expiresAt: current.expiresAt,
        ifVersion: current.version,
        writer: apiWriter(request),
        ...casOf(request),
      });
      return sendEntry(family, reply, entry);
    },
  });

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

  async function itemScope(params: TiPath, mapIndex: number | undefined, itemKey: string): Promise<TaskScope> {
    if (mapIndex !== undefined) {
      throw new InvalidStateOptionError(
        'send map_index or item_key, not both: the state of an item-keyed mapped task belongs to its item key',
      );
    }
    validateStateItemKey(itemKey);
    const run = await requireDagRun(db, params.dag_id, params.dag_run_id);
    if ((await countMappedTaskInstances(db, { dagRunId: run.id, taskId: params.task_id })) === 0) {
      throw new TaskInstanceNotInRunError({ dagId: run.dagId, runId: run.runId, taskId: params.task_id, mapIndex: 0 });
    }
    return taskScope({ dagId: run.dagId, runId: run.runId, taskId: params.task_id, itemKey });
  }

  function expiryOf(expiresAt: string | null): number | null {
    if (expiresAt === null) return null;
    if (expiresAt === 'default') return defaultExpiry();
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

function describeTi(scope: StateScope): string {
  if (scope.kind !== 'task') throw new Error('describeTi() on asset or DAG state');
  const mapped =
    scope.itemKey !== undefined
      ? ` item ${JSON.stringify(scope.itemKey)}`
      : scope.mapIndex === -1
        ? ''
        : ` at map index ${scope.mapIndex}`;
  return `task instance "${scope.taskId}"${mapped} of run "${scope.runId}"`;
}
