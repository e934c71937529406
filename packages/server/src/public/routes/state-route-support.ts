import {
  errorBodySchema,
  STATE_KEY_IN_QUERY,
  type StateEntry,
  type StateHistoryEntry,
  type StateHistoryResponse,
  type StateWriter,
  type StateWriterResponse,
} from '@tidemark/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { iso } from './dag-route-support.ts';
import { userOf } from './task-instance-response.ts';

/** What the task-state and asset-state route modules share. */

const ERROR_DESCRIPTIONS = {
  401: 'No bearer token, or an invalid or expired one (get one from POST /auth/token)',
  403: "The token's role is too low for this route (writes need op)",
  404: 'The DAG run, task instance, asset or state key does not exist',
  412: 'If-Match names a version other than the stored one (state_conflict)',
  413: 'The value is over state.max_value_bytes (value_too_large)',
  422: 'The path, query, header or body does not match the contract; the message names the field',
  428: 'If-Match is missing; a restore must name the version it replaces (precondition_required)',
} as const;

/** Error statuses a state route documents, each with the `{detail: {reason, message}}` body. */
export function stateErrorResponses<const Status extends keyof typeof ERROR_DESCRIPTIONS>(...statuses: Status[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, errorBodySchema.describe(ERROR_DESCRIPTIONS[status])]),
  ) as Record<Status, typeof errorBodySchema>;
}

/** `If-Match: "3"` → 3; absent → undefined (the schema has checked the form). */
export function ifMatchVersion(headers: { readonly 'if-match'?: string | undefined }): number | undefined {
  const header = headers['if-match'];
  if (header === undefined) return undefined;
  return Number(header.replaceAll(/[\s"]/g, ''));
}

/** The writer of a public API write: the authenticated user. */
export function apiWriter(request: FastifyRequest): StateWriter {
  return { kind: 'api', user: userOf(request) };
}

/** Sets `ETag: "<version>"`, the value `If-Match` takes. */
export function withETag(reply: FastifyReply, entry: StateEntry): void {
  void reply.header('etag', `"${entry.version}"`);
}

export function writerResponse(writer: StateWriter | null): StateWriterResponse {
  if (writer === null) return null;
  switch (writer.kind) {
    case 'api':
      return { kind: 'api', user: writer.user };
    case 'system':
      return { kind: 'system', reason: writer.reason };
    case 'watcher':
      return { kind: 'watcher', watcher: writer.watcher, dag_id: writer.dagId };
    default:
      return {
        kind: writer.kind,
        dag_id: writer.dagId,
        run_id: writer.runId,
        task_id: writer.taskId,
        map_index: writer.mapIndex,
        try_number: writer.tryNumber,
      };
  }
}

export function historyResponse(entries: readonly StateHistoryEntry[]): StateHistoryResponse {
  return {
    history: entries.map((entry) => ({
      version: entry.version,
      operation: entry.operation,
      value: entry.value,
      written_at: iso(entry.writtenAt),
      written_by: writerResponse(entry.writtenBy),
    })),
  };
}

/**
 * Each `{key}` route is registered twice: `…/:key` (documented; `a%2Fb` arrives as `a/b`) and a
 * hidden `…/*` twin for a key with a raw `/` (`…/state-store/a/b`), whose wildcard is renamed
 * `key` before validation so both share one schema and handler. The router prefers `:key` (and
 * `:key/history`) and falls back to the wildcard.
 */
export const KEY_ROUTE_TWINS: readonly { readonly suffix: string; readonly hide: boolean }[] = [
  { suffix: '/:key', hide: false },
  { suffix: '/*', hide: true },
];

/**
 * preValidation of every `{key}` route: the wildcard twin's `*` becomes `key`, and the key
 * segment STATE_KEY_IN_QUERY (`~`) with `?key=` addresses the key given there (how a browser, whose
 * URL parser drops `.` and `..` segments, reaches the keys `.` and `..`).
 */
export async function wildcardToKey(request: FastifyRequest): Promise<void> {
  const params = request.params as Record<string, string>;
  if ('*' in params) {
    const { '*': key, ...rest } = params;
    request.params = { ...rest, key };
  }
  const query = request.query as Record<string, unknown>;
  const keyParams = request.params as Record<string, string>;
  if (keyParams.key === STATE_KEY_IN_QUERY && typeof query.key === 'string') {
    request.params = { ...keyParams, key: query.key };
  }
}

/** The documented body of a 204. */
export const NO_CONTENT = z.undefined().describe('No content');
