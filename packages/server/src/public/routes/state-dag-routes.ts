import {
  DagNotFoundError,
  type DagScope,
  type DagStateEntryResponse,
  dagScope,
  dagStateCollectionSchema,
  dagStateEntrySchema,
  dagStateKeyPathSchema,
  dagStateListQuerySchema,
  dagStatePathSchema,
  type PutDagStateBody,
  putDagStateBodySchema,
  type StateEntry,
} from '@tidemark/core';
import { findDag } from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { iso } from './dag-route-support.ts';
import { registerStateKeyRoutes, type StateKeyFamily } from './state-key-routes.ts';
import { apiWriter, NO_CONTENT, stateErrorResponses, writerResponse } from './state-route-support.ts';

const TAGS = ['DAG State'];
const BASE = '/dags/:dag_id/state-store';

/**
 * SPEC §17 DAG state, shaped like asset state: list (with `last_updated_by` and `expires_at`), get,
 * PUT, DELETE a key, clear, history and restore. A PUT never expires unless its `expires_at` says
 * when. Reads need `viewer`, writes `op`.
 */
export function registerStateDagRoutes(app: PublicApp, context: PublicRouteContext): void {
  const backend = context.stateBackend;

  /** 404 for a DAG the database does not know. */
  const scopeOf = async (dagId: string): Promise<DagScope> => {
    if (!(await findDag(context.database.db, dagId))) throw new DagNotFoundError(dagId);
    return dagScope(dagId);
  };

  const family: StateKeyFamily = {
    base: BASE,
    tags: TAGS,
    noun: 'DAG-state',
    keyPath: dagStateKeyPathSchema,
    entrySchema: dagStateEntrySchema,
    putBody: putDagStateBodySchema,
    putDescription:
      'Creates or replaces the value. `expires_at`: `null` (never, the default) or an ISO-8601 time. ' +
      '`If-Match: "<version>"` writes only at that version (`"0"`: only if absent).',
    backend,
    viewer: context.auth.requireRole('viewer'),
    op: context.auth.requireRole('op'),
    scopeOf: (request) => scopeOf(request.params.dag_id as string),
    describe: (scope) => (scope.kind === 'dag' ? `DAG "${scope.dagId}"` : 'not a DAG'),
    respond: dagEntryResponse,
    expiryOfPut: (body) => {
      const expiresAt = (body as PutDagStateBody).expires_at;
      return expiresAt === null ? null : Date.parse(expiresAt);
    },
    // A restored value keeps the expiry of the value it replaces; a deleted key never expires.
    expiryOfRestore: (current) => current?.expiresAt ?? null,
  };

  app.get(
    BASE,
    {
      onRequest: family.viewer,
      schema: {
        tags: TAGS,
        summary: 'List the state of a DAG',
        description:
          'State shared by every run and task of the DAG: keys in ascending order, with their values, expiry ' +
          'and who wrote them last.',
        params: dagStatePathSchema,
        querystring: dagStateListQuerySchema,
        response: { 200: dagStateCollectionSchema, ...stateErrorResponses(401, 404, 422) },
      },
    },
    async (request) => {
      const scope = await scopeOf(request.params.dag_id);
      const page = await backend.list(scope, { limit: request.query.limit, offset: request.query.offset });
      return { dag_state_store: page.entries.map(dagEntryResponse), total_entries: page.total };
    },
  );

  app.delete(
    BASE,
    {
      onRequest: family.op,
      schema: {
        tags: TAGS,
        summary: 'Clear the state of a DAG',
        params: dagStatePathSchema,
        response: { 204: NO_CONTENT, ...stateErrorResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const scope = await scopeOf(request.params.dag_id);
      await backend.clear(scope, { writer: apiWriter(request) });
      return reply.code(204).send();
    },
  );

  registerStateKeyRoutes(app, family);
}

function dagEntryResponse(entry: StateEntry): DagStateEntryResponse {
  return {
    key: entry.key,
    value: entry.value,
    version: entry.version,
    updated_at: iso(entry.updatedAt),
    expires_at: entry.expiresAt === null ? null : iso(entry.expiresAt),
    last_updated_by: writerResponse(entry.updatedBy),
  };
}
