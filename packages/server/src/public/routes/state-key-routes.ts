import {
  INT32_MAX,
  InvalidStateOptionError,
  InvalidStateValueError,
  ifMatchHeadersSchema,
  OFFLOAD_REF_FIELD,
  offloadRefOf,
  type StateBackend,
  type StateEntry,
  type StateScope,
  type StateSetOptions,
  type StateValue,
  stateHistorySchema,
} from '@tidemark/core';
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import { PreconditionRequiredError, StateNotFoundError, StateVersionNotFoundError } from '../../errors.ts';
import type { PublicApp } from '../public-route-context.ts';
import {
  apiWriter,
  historyResponse,
  ifMatchVersion,
  KEY_ROUTE_TWINS,
  NO_CONTENT,
  stateErrorResponses,
  wildcardToKey,
  withETag,
} from './state-route-support.ts';

type Hook = NonNullable<RouteShorthandOptions['onRequest']>;

/** Path and query of a `{key}` route, as validated by the family's schemas. */
export interface KeyRequest {
  readonly params: { readonly key: string } & Record<string, unknown>;
  readonly query: Record<string, unknown>;
}

/**
 * What differs between task state and asset state on the `{key}` routes: where they live, how a
 * request names its scope, and how an entry is shown. The handlers themselves are shared.
 */
export interface StateKeyFamily {
  /** e.g. `/assets/:asset_id/state-store`. */
  readonly base: string;
  readonly tags: readonly string[];
  /** `task-state` or `asset-state`, for summaries. */
  readonly noun: string;
  /** Params of `{key}` routes (the scope's params plus `key`). */
  readonly keyPath: z.ZodObject;
  /** Query of `{key}` routes (`map_index` for task state); omitted: none. */
  readonly keyQuery?: z.ZodObject;
  readonly entrySchema: z.ZodType;
  readonly putBody: z.ZodType<{ readonly value: unknown }>;
  readonly putDescription: string;
  readonly backend: StateBackend;
  readonly viewer: Hook;
  readonly op: Hook;
  /** The scope a request names; throws a 404 error when it does not exist. */
  scopeOf(request: KeyRequest): Promise<StateScope>;
  /** The scope in words, for "… has no state key" messages. */
  describe(scope: StateScope): string;
  /** The response body of an entry (GET, PUT, PATCH, restore). */
  respond(entry: StateEntry): unknown;
  /** The expiry of a PUT from its body; omitted: the scope has no expiry. */
  expiryOfPut?(body: unknown): number | null;
  /** The expiry of a restored value; omitted: the scope has no expiry. */
  expiryOfRestore?(current: StateEntry | undefined): number | null;
}

const versionParamSchema = z.coerce
  .number()
  .int('expected a whole number')
  .min(1, 'versions start at 1')
  .max(INT32_MAX, `versions are at most ${INT32_MAX}`)
  .meta({ description: 'a version listed by the history route' });

/** GET, PUT, DELETE of a key, its history, and restoring a version from it (SPEC §8, §11.2). */
export function registerStateKeyRoutes(app: PublicApp, family: StateKeyFamily): void {
  registerHistoryRoute(app, family);
  registerRestoreRoute(app, family);
  registerGetRoute(app, family);
  registerPutRoute(app, family);
  registerDeleteRoute(app, family);
}

/**
 * Registers one `{key}` route on both of its twins (`…/:key` and the hidden `…/*`, see
 * KEY_ROUTE_TWINS). `schema` is the documented part; params and query come from the family.
 */
export function registerKeyRoute(
  app: PublicApp,
  family: StateKeyFamily,
  route: {
    readonly method: 'GET' | 'PUT' | 'PATCH' | 'DELETE';
    readonly onRequest: Hook;
    readonly schema: Record<string, unknown>;
    readonly handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  },
): void {
  for (const twin of KEY_ROUTE_TWINS) {
    app.route({
      method: route.method,
      url: `${family.base}${twin.suffix}`,
      onRequest: route.onRequest,
      preValidation: wildcardToKey,
      schema: {
        hide: twin.hide,
        tags: [...family.tags],
        params: family.keyPath,
        ...(family.keyQuery ? { querystring: family.keyQuery } : {}),
        ...route.schema,
      },
      handler: route.handler,
    });
  }
}

/**
 * The value of a PUT or PATCH body. An offload envelope is refused: only a worker's offload store
 * makes them, and one written here could point a task at another scope's payload.
 */
export function bodyValue(body: { readonly value: unknown }): StateValue {
  if (offloadRefOf(body.value) !== undefined) {
    throw new InvalidStateValueError(
      `a value whose only field is "${OFFLOAD_REF_FIELD}" is an offload reference, which only workers write; ` +
        'wrap it in another object to store it',
    );
  }
  return body.value as StateValue;
}

/** The live entry of a key; 404 `state_not_found` when it is absent or expired. */
export async function requireEntry(family: StateKeyFamily, scope: StateScope, key: string): Promise<StateEntry> {
  const entry = await family.backend.get(scope, key);
  if (!entry) throw new StateNotFoundError(key, family.describe(scope));
  return entry;
}

/** Sends an entry as the family shows it, with its `ETag`. */
export function sendEntry(family: StateKeyFamily, reply: FastifyReply, entry: StateEntry): unknown {
  withETag(reply, entry);
  return family.respond(entry);
}

/** `{ifVersion}` when `If-Match` was sent, else nothing. */
export function casOf(request: FastifyRequest): Pick<StateSetOptions, 'ifVersion'> {
  const ifVersion = ifMatchVersion(request.headers as { 'if-match'?: string });
  return ifVersion === undefined ? {} : { ifVersion };
}

function keyRequest(request: FastifyRequest): KeyRequest {
  return { params: request.params as KeyRequest['params'], query: (request.query ?? {}) as KeyRequest['query'] };
}

/** The scope and key a `{key}` request names; 404 when the scope does not exist. */
export async function scopedKey(family: StateKeyFamily, request: FastifyRequest) {
  const named = keyRequest(request);
  return { scope: await family.scopeOf(named), key: named.params.key, params: named.params };
}

function registerGetRoute(app: PublicApp, family: StateKeyFamily): void {
  registerKeyRoute(app, family, {
    method: 'GET',
    onRequest: family.viewer,
    schema: {
      summary: `Get a ${family.noun} key`,
      description: 'The key is the rest of the path and may contain `/`. `ETag` carries the version.',
      response: { 200: family.entrySchema, ...stateErrorResponses(401, 404, 422) },
    },
    handler: async (request, reply) => {
      const { scope, key } = await scopedKey(family, request);
      return sendEntry(family, reply, await requireEntry(family, scope, key));
    },
  });
}

function registerPutRoute(app: PublicApp, family: StateKeyFamily): void {
  registerKeyRoute(app, family, {
    method: 'PUT',
    onRequest: family.op,
    schema: {
      summary: `Set a ${family.noun} key`,
      description: family.putDescription,
      headers: ifMatchHeadersSchema,
      body: family.putBody,
      response: { 200: family.entrySchema, ...stateErrorResponses(401, 403, 404, 412, 413, 422) },
    },
    handler: async (request, reply) => {
      const { scope, key } = await scopedKey(family, request);
      const body = request.body as { value: unknown };
      const entry = await family.backend.set(scope, key, bodyValue(body), {
        ...(family.expiryOfPut ? { expiresAt: family.expiryOfPut(body) } : {}),
        writer: apiWriter(request),
        ...casOf(request),
      });
      return sendEntry(family, reply, entry);
    },
  });
}

function registerDeleteRoute(app: PublicApp, family: StateKeyFamily): void {
  registerKeyRoute(app, family, {
    method: 'DELETE',
    onRequest: family.op,
    schema: {
      summary: `Delete a ${family.noun} key`,
      description: 'Idempotent: deleting an absent key answers 204 too, unless `If-Match` names a version.',
      headers: ifMatchHeadersSchema,
      response: { 204: NO_CONTENT, ...stateErrorResponses(401, 403, 404, 412, 422) },
    },
    handler: async (request, reply) => {
      const { scope, key } = await scopedKey(family, request);
      await family.backend.delete(scope, key, { writer: apiWriter(request), ...casOf(request) });
      return reply.code(204).send();
    },
  });
}

function registerHistoryRoute(app: PublicApp, family: StateKeyFamily): void {
  app.route({
    method: 'GET',
    url: `${family.base}/:key/history`,
    onRequest: family.viewer,
    preValidation: wildcardToKey,
    schema: {
      tags: [...family.tags],
      summary: `Get the history of a ${family.noun} key`,
      description: 'Newest first, at most `state.history_depth` versions. URL-encode a `/` in the key (`%2F`).',
      params: family.keyPath,
      ...(family.keyQuery ? { querystring: family.keyQuery } : {}),
      response: { 200: stateHistorySchema, ...stateErrorResponses(401, 404, 422) },
    },
    handler: async (request) => {
      const { scope, key } = await scopedKey(family, request);
      return historyResponse(await family.backend.history(scope, key));
    },
  });
}

/**
 * SPEC §8: a restore writes a version from the key's history again, as a new version attributed to
 * the user. It is always compare-and-set: `If-Match` names the version the user saw (`"0"` when the
 * key is deleted now), so a restore never overwrites a write the user has not seen.
 */
function registerRestoreRoute(app: PublicApp, family: StateKeyFamily): void {
  app.route({
    method: 'POST',
    url: `${family.base}/:key/history/:version/restore`,
    onRequest: family.op,
    preValidation: wildcardToKey,
    schema: {
      tags: [...family.tags],
      summary: `Restore a version of a ${family.noun} key`,
      description:
        'Writes the value the key had at `{version}` (from its history) as a new version, written by you. ' +
        '`If-Match: "<current version>"` is required (428 without it; `"0"` when the key is deleted now), and a ' +
        'mismatch answers 412. A version no longer in the history answers 404. URL-encode a `/` in the key (`%2F`).',
      params: family.keyPath.extend({ version: versionParamSchema }),
      ...(family.keyQuery ? { querystring: family.keyQuery } : {}),
      headers: ifMatchHeadersSchema,
      response: { 200: family.entrySchema, ...stateErrorResponses(401, 403, 404, 412, 413, 422, 428) },
    },
    handler: async (request, reply) => {
      const ifVersion = ifMatchVersion(request.headers as { 'if-match'?: string });
      if (ifVersion === undefined) throw new PreconditionRequiredError((request.params as { key: string }).key);
      const { scope, key, params } = await scopedKey(family, request);
      const version = params.version as number;
      const value = await historicalValue(family, scope, key, version);
      const current = family.expiryOfRestore ? await family.backend.get(scope, key) : undefined;
      const entry = await family.backend.set(scope, key, value, {
        ...(family.expiryOfRestore ? { expiresAt: family.expiryOfRestore(current) } : {}),
        ifVersion,
        writer: apiWriter(request),
      });
      return sendEntry(family, reply, entry);
    },
  });
}

/** The value a key had at `version`; 404 when the history no longer has it, 422 when it was a delete. */
async function historicalValue(
  family: StateKeyFamily,
  scope: StateScope,
  key: string,
  version: number,
): Promise<StateValue> {
  const history = await family.backend.history(scope, key);
  const found = history.find((entry) => entry.version === version);
  if (!found) {
    const kept = history.map((entry) => entry.version);
    throw new StateVersionNotFoundError(key, version, family.describe(scope), kept);
  }
  if (found.operation === 'delete' || found.value === null) {
    throw new InvalidStateOptionError(
      `version ${version} of state key "${key}" is a delete and has no value to restore; delete the key instead`,
    );
  }
  return found.value;
}
