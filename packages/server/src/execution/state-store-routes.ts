import {
  type AttemptFence,
  assertAdvanceable,
  assetScope,
  assetStateQuerySchema,
  encodeStateValue,
  INT32_MAX,
  InvalidStateOptionError,
  NEVER_EXPIRE,
  parseDurationMs,
  STATE_STORE_ROUTES,
  type StateBackend,
  type StateEntry,
  type StateScope,
  type StateValue,
  type StateWriter,
  stateAdvanceRequestSchema,
  stateSetRequestSchema,
  taskScope,
  validateStateKey,
} from '@tidemark/core';
import {
  findSerializedTask,
  findTaskInstance,
  isCurrentAttempt,
  notCurrentAttemptError,
  stageAssetWrite,
} from '@tidemark/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RequestValidationError } from '../errors.ts';
import type { AttemptTokenClaims } from './attempt-token.ts';
import { attemptOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';
import { resolveDeclaredAsset } from './state-store-assets.ts';
import { StateNotFoundError } from './state-store-errors.ts';
import type { TaskInstanceIdentity } from './task-instance-identities.ts';

/** The execution context plus the server's one state backend (shared with the public API). */
export type StateStoreContext = ExecutionContext;

/** Key listing reads the whole scope of one TI or asset; this bounds it. */
const MAX_LISTED_KEYS = 10_000;

type KeyParams = { Params: { ti_id: string; key: string } };
type TiParams = { Params: { ti_id: string } };

/** What one request addresses, derived on the server from the token's TI (never from the request). */
interface Addressed {
  readonly claims: AttemptTokenClaims;
  readonly identity: TaskInstanceIdentity;
  readonly scope: StateScope;
  /** For messages: "task orders/manual__1/load" or `asset "orders"`. */
  readonly where: string;
}

/**
 * The execution API's state store (SPEC §11.1, core `STATE_STORE_ROUTES`), attempt token only.
 *
 * Task state — scope `(dag_id, run_id, task_id, map_index)` of the token's TI:
 *   GET    /execution/store/ti/{ti_id}/{key}          → 200 `{value, version, expires_at}` + ETag; 404 `state_not_found`
 *   PUT    /execution/store/ti/{ti_id}/{key}          → 204 + ETag (new version)
 *   DELETE /execution/store/ti/{ti_id}/{key}          → 204 (idempotent; If-Match honoured)
 *   DELETE /execution/store/ti/{ti_id}                → 204 (this TI's map index only)
 *   GET    /execution/store/ti/{ti_id}                → 200 `{keys: [{key, version, expires_at}]}`
 *   POST   /execution/store/ti/{ti_id}/{key}/advance  → 200 `{value, version, advanced}`
 * Asset state — `?name=` under by-name, `?uri=` under by-uri; the asset must be active (else 404
 * `asset_not_found`) and an inlet or outlet of the TI's task (else 403 `undeclared_asset`):
 *   GET|PUT|DELETE …/value?key=, DELETE …/clear, POST …/advance?key=, GET …/keys
 *   PUT and advance with `on_success: true` stage the write (SPEC §7) → 202 `{staged: true}`; it is
 *   applied when the attempt succeeds, dropped when it fails (metastore tables only).
 *
 * Other TI's token: 403. Writes (PUT, DELETE, clear, advance) from an attempt that is not the TI's
 * current running try: 409 `stale_attempt`; reads are allowed. `If-Match: "<v>"` (or `if_version`)
 * mismatch: 412 `state_conflict`. `null` / non-finite value: 422. Over `state.max_value_bytes`: 413.
 */
export function registerStateStoreRoutes(app: FastifyInstance, context: StateStoreContext): void {
  const { stateBackend: backend } = context;
  const preHandler = context.auth.requireAttempt;

  // ── task state ────────────────────────────────────────────────────────────────────────────────
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

  // ── asset state ───────────────────────────────────────────────────────────────────────────────
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

async function addressTask(context: StateStoreContext, request: FastifyRequest): Promise<Addressed> {
  const claims = attemptOf(request);
  const identity = await context.identities.get(claims.sub);
  const scope = taskScope(identity);
  const mapped = identity.mapIndex === -1 ? '' : `[${identity.mapIndex}]`;
  return { claims, identity, scope, where: `task ${identity.dagId}/${identity.runId}/${identity.taskId}${mapped}` };
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

function requireKey(key: string | undefined): string {
  if (key === undefined) throw new RequestValidationError('invalid request query: key: required for this route');
  return validateStateKey(key);
}

async function getOrThrow(backend: StateBackend, at: Addressed, key: string): Promise<StateEntry> {
  const entry = await backend.get(at.scope, key);
  if (!entry) throw new StateNotFoundError(key, at.where);
  return entry;
}

function sendEntry(reply: FastifyReply, entry: StateEntry) {
  void reply.header('etag', etag(entry.version));
  return { value: entry.value, version: entry.version, expires_at: isoOrNull(entry.expiresAt) };
}

async function listKeys(backend: StateBackend, at: Addressed) {
  const page = await backend.list(at.scope, { limit: MAX_LISTED_KEYS });
  return {
    keys: page.entries.map((entry) => ({
      key: entry.key,
      version: entry.version,
      expires_at: isoOrNull(entry.expiresAt),
    })),
  };
}

/**
 * SPEC §7 fencing: writes come only from the TI's current running try. A backend that enforces the
 * fence in its write transaction gets it with the write (`writeOptions`); for any other backend, and
 * for staged writes, it is checked here first.
 */
async function assertCurrentAttempt(context: StateStoreContext, claims: AttemptTokenClaims): Promise<void> {
  const ti = await findTaskInstance(context.database.db, claims.sub);
  if (!isCurrentAttempt(ti, claims.try)) throw notCurrentAttemptError({ tiId: claims.sub, tryNumber: claims.try }, ti);
}

async function assertCurrentAttemptUnlessFenced(context: StateStoreContext, claims: AttemptTokenClaims): Promise<void> {
  if (!context.stateBackend.enforcesAttemptFence) await assertCurrentAttempt(context, claims);
}

function writeOptions(at: Addressed): { readonly writer: StateWriter; readonly fence: AttemptFence } {
  return { writer: writerOf(at), fence: { tiId: at.claims.sub, tryNumber: at.claims.try } };
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
  await stageAssetWrite(context.database.db, {
    tiId: at.claims.sub,
    tryNumber: at.claims.try,
    assetId: at.scope.assetId,
    key,
    operation,
    value: json,
    writtenBy: JSON.stringify(writerOf(at)),
    now: context.now(),
  });
}

function writerOf(at: Addressed): StateWriter {
  return {
    kind: 'task',
    dagId: at.identity.dagId,
    runId: at.identity.runId,
    taskId: at.identity.taskId,
    mapIndex: at.identity.mapIndex,
    tryNumber: at.claims.try,
  };
}

/** `If-Match: "<v>"` (quotes optional, `W/` tolerated) wins over the body's `if_version`. */
export function ifVersionOf(request: FastifyRequest, bodyVersion: number | undefined): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return bodyVersion;
  const text = Array.isArray(header) ? header.join(',') : header;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(text);
  if (!match || Number(match[1]) > INT32_MAX) {
    throw new InvalidStateOptionError(`If-Match must be one version, such as "3" (0 = only if absent), got ${text}`);
  }
  return Number(match[1]);
}

/**
 * The absolute expiry of a task state write, computed with the server's clock: `retention` (a
 * duration, or NEVER_EXPIRE) wins over `expires_at` (ISO-8601 or null); neither: the configured
 * `state.default_retention` (0 = never). A duration of 0 also means never.
 */
export function taskExpiry(
  context: Pick<StateStoreContext, 'config' | 'now'>,
  body: { readonly retention?: string | undefined; readonly expires_at?: string | null | undefined },
): number | null {
  if (body.retention !== undefined) {
    if (body.retention === NEVER_EXPIRE) return null;
    const ms = parseDurationMs(body.retention);
    if (ms === undefined) {
      throw new InvalidStateOptionError(
        `retention must be a duration such as "30d", "2h" or "500ms", or "${NEVER_EXPIRE}", got ${JSON.stringify(body.retention)}`,
      );
    }
    return ms === 0 ? null : context.now() + ms;
  }
  if (body.expires_at !== undefined) {
    if (body.expires_at === null) return null;
    const at = Date.parse(body.expires_at);
    if (Number.isNaN(at)) {
      throw new InvalidStateOptionError(
        `expires_at must be an ISO-8601 time or null, got ${JSON.stringify(body.expires_at)}`,
      );
    }
    return at;
  }
  const retention = context.config.state.default_retention;
  return retention === 0 ? null : context.now() + retention;
}

function etag(version: number): string {
  return `"${version}"`;
}

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
