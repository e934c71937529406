import {
  type AttemptFence,
  INT32_MAX,
  InvalidStateOptionError,
  NEVER_EXPIRE,
  parseDurationMs,
  type StateBackend,
  type StateEntry,
  type StateScope,
  type StateWriter,
  validateStateKey,
} from '@tidemark/core';
import { findTaskInstance, isCurrentAttempt, notCurrentAttemptError } from '@tidemark/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestValidationError, StateNotFoundError } from '../errors.ts';
import type { AttemptTokenClaims } from './attempt-token.ts';
import type { ExecutionContext } from './execution-context.ts';
import type { TaskInstanceIdentity } from './task-instance-identities.ts';

/** The execution context plus the server's one state backend (shared with the public API). */
export type StateStoreContext = ExecutionContext;

/** Key listing reads the whole scope of one TI or asset; this bounds it. */
const MAX_LISTED_KEYS = 10_000;

/** What one request addresses, derived on the server from the token's TI (never from the request). */
export interface Addressed {
  readonly claims: AttemptTokenClaims;
  readonly identity: TaskInstanceIdentity;
  readonly scope: StateScope;
  /** For messages: "task orders/manual__1/load" or `asset "orders"`. */
  readonly where: string;
}

/** What the task-state and asset-state routes of the execution API share. */

export function requireKey(key: string | undefined): string {
  if (key === undefined) throw new RequestValidationError('invalid request query: key: required for this route');
  return validateStateKey(key);
}

export async function getOrThrow(backend: StateBackend, at: Addressed, key: string): Promise<StateEntry> {
  const entry = await backend.get(at.scope, key);
  if (!entry) throw new StateNotFoundError(key, at.where);
  return entry;
}

export function sendEntry(reply: FastifyReply, entry: StateEntry) {
  void reply.header('etag', etag(entry.version));
  return { value: entry.value, version: entry.version, expires_at: isoOrNull(entry.expiresAt) };
}

export async function listKeys(backend: StateBackend, at: Addressed) {
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
export async function assertCurrentAttempt(context: StateStoreContext, claims: AttemptTokenClaims): Promise<void> {
  const ti = await findTaskInstance(context.database.db, claims.sub);
  if (!isCurrentAttempt(ti, claims.try)) throw notCurrentAttemptError({ tiId: claims.sub, tryNumber: claims.try }, ti);
}

export async function assertCurrentAttemptUnlessFenced(
  context: StateStoreContext,
  claims: AttemptTokenClaims,
): Promise<void> {
  if (!context.stateBackend.enforcesAttemptFence) await assertCurrentAttempt(context, claims);
}

export function writeOptions(at: Addressed): { readonly writer: StateWriter; readonly fence: AttemptFence } {
  return { writer: writerOf(at), fence: { tiId: at.claims.sub, tryNumber: at.claims.try } };
}

export function writerOf(at: Addressed): StateWriter {
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
export function taskExpiry(context: Pick<StateStoreContext, 'config' | 'now'>, body: ExpiryBody): number | null {
  const explicit = explicitExpiry(context, body);
  if (explicit !== undefined) return explicit;
  const retention = context.config.state.default_retention;
  return retention === 0 ? null : context.now() + retention;
}

/** SPEC §17: DAG state expires only when a write says so (`retention` or `expires_at`); else never. */
export function dagExpiry(context: Pick<StateStoreContext, 'now'>, body: ExpiryBody): number | null {
  return explicitExpiry(context, body) ?? null;
}

type ExpiryBody = { readonly retention?: string | undefined; readonly expires_at?: string | null | undefined };

/** The expiry a body asks for; `undefined` when it asks for none (the scope's default then applies). */
function explicitExpiry(context: Pick<StateStoreContext, 'now'>, body: ExpiryBody): number | null | undefined {
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
  return undefined;
}

export function etag(version: number): string {
  return `"${version}"`;
}

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
