import {
  assertAdvanceable,
  decodeStateValue,
  encodeStateValue,
  InvalidStateOptionError,
  isAdvance,
  type StateAdvanceOptions,
  type StateAdvanceResult,
  type StateBackend,
  type StateBackendSettings,
  type StateCleanupOptions,
  type StateCleanupReport,
  type StateClearOptions,
  StateConflictError,
  type StateDeleteOptions,
  type StateEntry,
  type StateHistoryEntry,
  type StateHistoryOperation,
  type StateListOptions,
  type StateListPage,
  type StateScope,
  type StateSetOptions,
  type StateValue,
  type StateWriter,
  validateStateKey,
} from '@tidemark/core';
import type { Db, MetadataDatabase } from '../open-database.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { assertAttemptFence } from './attempt-fence.ts';
import { PLAINTEXT_CIPHER, type StateValueCipher } from './encryption/state-value-cipher.ts';
import type { OwnTaskKeyRewrite } from './one-statement-set.ts';
import { cleanupState } from './state-cleanup.ts';
import { lastHistoryVersion, readHistory, recordHistory } from './state-history-repository.ts';
import {
  countLiveStateRows,
  deleteStateRows,
  findStateRow,
  findStateRowVersion,
  isLive,
  listLiveStateRows,
  readStateRow,
  type StateRowVersion,
  type StoredStateRow,
  selectScopeRows,
} from './state-rows.ts';
import {
  fencedTaskTarget,
  findStateTarget,
  requireStateTarget,
  type StateTarget,
  withoutMapIndex,
} from './state-target.ts';
import { storeStateVersion } from './state-version-write.ts';
import {
  DEFAULT_STATE_WRITE_BATCH_SIZE,
  STATE_WRITE_BATCHES_IN_FLIGHT,
  StateWriteBatcher,
} from './state-write-batcher.ts';
import { TaskRewriteBatcher } from './task-rewrite-batcher.ts';

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 10_000;

/**
 * The default state backend (SPEC §9.1): rows in the metadata database's `task_state`,
 * `asset_state` and `dag_state` tables, with versions, compare-and-set, monotonic advance and
 * per-key history.
 */
export class MetastoreStateBackend implements StateBackend {
  readonly enforcesAttemptFence = true;
  readonly #database: MetadataDatabase;
  readonly #settings: StateBackendSettings;
  readonly #now: () => number;
  /** set, delete and advance share transactions with the writes that arrive alongside (group commit). */
  readonly #writes: StateWriteBatcher;
  /**
   * Attempts' rewrites of their own keys that arrive together: one statement on PostgreSQL, one
   * synchronous transaction on SQLite.
   */
  readonly #rewrites: TaskRewriteBatcher;
  /** Values are sealed on their way into the database and opened on their way out: here only. */
  readonly cipher: StateValueCipher;

  constructor(
    database: MetadataDatabase,
    settings: StateBackendSettings,
    cipher: StateValueCipher = PLAINTEXT_CIPHER,
    options: { readonly writeBatchSize?: number; readonly writeBatchesInFlight?: number } = {},
  ) {
    this.#database = database;
    const maxBatch = options.writeBatchSize ?? DEFAULT_STATE_WRITE_BATCH_SIZE;
    const maxInFlight = options.writeBatchesInFlight ?? STATE_WRITE_BATCHES_IN_FLIGHT[database.dialect];
    this.#writes = new StateWriteBatcher(database, maxBatch, maxInFlight);
    this.#rewrites = new TaskRewriteBatcher(database, maxBatch, maxInFlight);
    this.#settings = settings;
    this.#now = settings.clock ?? Date.now;
    this.cipher = cipher;
  }

  async get(scope: StateScope, key: string): Promise<StateEntry | undefined> {
    validateStateKey(key);
    const row = await readStateRow(this.#database.db, this.#database.dialect, scope, key);
    return row && isLive(row, this.#now()) ? this.#toEntry(row) : undefined;
  }

  async set(scope: StateScope, key: string, value: StateValue, options: StateSetOptions = {}): Promise<StateEntry> {
    const write = this.#prepareSet(scope, key, value, options);
    return (
      (await this.#rewriteOwnTaskKey(scope, key, write, options)) ??
      this.#writes.run((trx) => this.#applySet(trx, scope, key, write, options))
    );
  }

  /**
   * An attempt writing again a key of its own task state, with the rewrites that arrived with it
   * (see TaskRewriteBatcher); undefined when that path does not apply or changed nothing.
   */
  async #rewriteOwnTaskKey(
    scope: StateScope,
    key: string,
    write: PreparedSet,
    options: StateSetOptions,
  ): Promise<StateEntry | undefined> {
    const rewrite = this.#ownTaskKeyRewrite(scope, key, write, options);
    if (!rewrite) return undefined;
    return writtenRewrite(rewrite, write, options, await this.#rewrites.run(rewrite));
  }

  /** The write as the fast paths take it, when it is an attempt's set of its own positional task state. */
  #ownTaskKeyRewrite(
    scope: StateScope,
    key: string,
    write: PreparedSet,
    options: StateSetOptions,
  ): OwnTaskKeyRewrite | undefined {
    const { fence } = options;
    const applies =
      fence !== undefined && scope.kind === 'task' && scope.itemKey === undefined && this.#settings.historyDepth > 0;
    if (!applies) return undefined;
    return {
      scope,
      key,
      fence,
      value: write.sealed,
      expiresAt: write.expiresAt,
      updatedBy: options.writer ? JSON.stringify(options.writer) : null,
      ifVersion: options.ifVersion,
      now: this.#now(),
      historyDepth: this.#settings.historyDepth,
    };
  }

  /**
   * `set` inside the caller's transaction (a watcher's poll commits its state with its events):
   * the same checks and the same write; a refusal throws, and the caller's transaction rolls back.
   */
  async setWithin(
    trx: Db,
    scope: StateScope,
    key: string,
    value: StateValue,
    options: StateSetOptions = {},
  ): Promise<StateEntry> {
    return this.#applySet(trx, scope, key, this.#prepareSet(scope, key, value, options), options);
  }

  async delete(scope: StateScope, key: string, options: StateDeleteOptions = {}): Promise<boolean> {
    prepareDelete(key, options);
    return this.#writes.run((trx) => this.#applyDelete(trx, scope, key, options));
  }

  /** `delete` inside the caller's transaction (see `setWithin`). */
  async deleteWithin(trx: Db, scope: StateScope, key: string, options: StateDeleteOptions = {}): Promise<boolean> {
    prepareDelete(key, options);
    return this.#applyDelete(trx, scope, key, options);
  }

  async clear(scope: StateScope, options: StateClearOptions = {}): Promise<number> {
    if (options.allMapIndices && scope.kind !== 'task') {
      throw new InvalidStateOptionError(`all_map_indices applies to task state only, not to ${scope.kind} state`);
    }
    return inWriteTransaction(this.#database, async (trx) => {
      const fenced = await assertAttemptFence(trx, this.#database.dialect, options.fence);
      const found = fencedTaskTarget(scope, fenced) ?? (await findStateTarget(trx, this.#database.dialect, scope));
      if (!found) return 0;
      const target = options.allMapIndices ? withoutMapIndex(found) : found;
      const rows = await selectScopeRows(trx, this.#database.dialect, target);
      await deleteStateRows(
        trx,
        target,
        rows.map((row) => row.id),
      );
      const now = this.#now();
      const live = rows.filter((row) => isLive(row, now));
      const tombstones = live.map((row) => ({
        ...tombstone(row, now, options.writer),
        ...(options.allMapIndices && row.map_index !== null ? { mapIndex: row.map_index, itemKey: row.item_key } : {}),
      }));
      await recordHistory(trx, this.#database.dialect, target, tombstones, this.#settings.historyDepth);
      return live.length;
    });
  }

  async list(scope: StateScope, options: StateListOptions = {}): Promise<StateListPage> {
    const limit = validateLimit(options.limit);
    const offset = validateOffset(options.offset);
    const target = await findStateTarget(this.#database.db, this.#database.dialect, scope);
    if (!target) return { entries: [], total: 0 };
    const query = { now: this.#now(), prefix: options.prefix, limit, offset };
    const [rows, total] = await Promise.all([
      listLiveStateRows(this.#database.db, this.#database.dialect, target, query),
      countLiveStateRows(this.#database.db, target, query),
    ]);
    return { entries: rows.map((row) => this.#toEntry(row)), total };
  }

  async advance(
    scope: StateScope,
    key: string,
    candidate: StateValue,
    options: StateAdvanceOptions = {},
  ): Promise<StateAdvanceResult> {
    const json = this.#prepareAdvance(key, candidate);
    return this.#writes.run((trx) => this.#applyAdvance(trx, scope, key, candidate, json, options));
  }

  /**
   * `advance` inside the caller's transaction (see `setWithin`). `ifVersion` (compare-and-set, as
   * for set) is checked against the locked row before the comparison; the public `advance` has none.
   */
  async advanceWithin(
    trx: Db,
    scope: StateScope,
    key: string,
    candidate: StateValue,
    options: StateAdvanceOptions & { readonly ifVersion?: number } = {},
  ): Promise<StateAdvanceResult> {
    validateIfVersion(options.ifVersion);
    const json = this.#prepareAdvance(key, candidate);
    return this.#applyAdvance(trx, scope, key, candidate, json, options);
  }

  async history(scope: StateScope, key: string): Promise<readonly StateHistoryEntry[]> {
    validateStateKey(key);
    if (this.#settings.historyDepth <= 0) return [];
    const target = await findStateTarget(this.#database.db, this.#database.dialect, scope);
    if (!target) return [];
    const rows = await readHistory(this.#database.db, target, key, this.#settings.historyDepth);
    return rows.map((row) => ({
      version: row.version,
      operation: row.operation as StateHistoryOperation,
      value: row.value === null ? null : decodeStateValue(this.cipher.open(row.value)),
      writtenAt: row.written_at,
      writtenBy: parseWriter(row.written_by),
    }));
  }

  async cleanup(options: StateCleanupOptions = {}): Promise<StateCleanupReport> {
    return cleanupState(this.#database, {
      now: this.#now(),
      historyDepth: this.#settings.historyDepth,
      batchSize: options.batchSize ?? 5_000,
      dryRun: options.dryRun ?? false,
      onProgress: options.onProgress,
      onRemoved: options.onRemoved,
      signal: options.signal,
    });
  }

  /**
   * What `set` checks before it touches the database; returns the value's JSON, sealed once for
   * whichever path writes it, and the expiry.
   */
  #prepareSet(scope: StateScope, key: string, value: StateValue, options: StateSetOptions): PreparedSet {
    validateStateKey(key);
    const json = encodeStateValue(value, this.#settings.maxValueBytes);
    const expiresAt = validateExpiry(scope, options.expiresAt);
    validateIfVersion(options.ifVersion);
    return { json, sealed: this.cipher.seal(json), expiresAt };
  }

  async #applySet(
    trx: Db,
    scope: StateScope,
    key: string,
    write: PreparedSet,
    options: StateSetOptions,
  ): Promise<StateEntry> {
    const fenced = await assertAttemptFence(trx, this.#database.dialect, options.fence);
    const target = fencedTaskTarget(scope, fenced) ?? (await requireStateTarget(trx, this.#database.dialect, scope));
    const row = await findStateRowVersion(trx, this.#database.dialect, target, key);
    const now = this.#now();
    assertVersionMatches(key, row, now, options.ifVersion);
    return this.#write(trx, target, key, row, { ...write, writer: options.writer, now });
  }

  async #applyDelete(trx: Db, scope: StateScope, key: string, options: StateDeleteOptions): Promise<boolean> {
    const fenced = await assertAttemptFence(trx, this.#database.dialect, options.fence);
    const target = fencedTaskTarget(scope, fenced) ?? (await findStateTarget(trx, this.#database.dialect, scope));
    if (!target) {
      assertVersionMatches(key, undefined, 0, options.ifVersion);
      return false;
    }
    const row = await findStateRowVersion(trx, this.#database.dialect, target, key);
    const now = this.#now();
    assertVersionMatches(key, row, now, options.ifVersion);
    if (!row) return false;
    await deleteStateRows(trx, target, [row.id]);
    if (!isLive(row, now)) return false;
    await recordHistory(
      trx,
      this.#database.dialect,
      target,
      [tombstone({ key, version: row.version }, now, options.writer)],
      this.#settings.historyDepth,
    );
    return true;
  }

  #prepareAdvance(key: string, candidate: StateValue): string {
    validateStateKey(key);
    assertAdvanceable(key, candidate);
    return encodeStateValue(candidate, this.#settings.maxValueBytes);
  }

  async #applyAdvance(
    trx: Db,
    scope: StateScope,
    key: string,
    candidate: StateValue,
    json: string,
    options: StateAdvanceOptions & { readonly ifVersion?: number },
  ): Promise<StateAdvanceResult> {
    const fenced = await assertAttemptFence(trx, this.#database.dialect, options.fence);
    const target = fencedTaskTarget(scope, fenced) ?? (await requireStateTarget(trx, this.#database.dialect, scope));
    const row = await findStateRow(trx, this.#database.dialect, target, key, true);
    const now = this.#now();
    assertVersionMatches(key, row, now, options.ifVersion);
    if (row && isLive(row, now)) {
      const stored = decodeStateValue(this.cipher.open(row.value));
      if (!isAdvance(key, stored, candidate)) return { value: stored, version: row.version, advanced: false };
    }
    const expiresAt = row && isLive(row, now) ? row.expires_at : null;
    const sealed = this.cipher.seal(json);
    const entry = await this.#write(trx, target, key, row, { json, sealed, expiresAt, writer: options.writer, now });
    return { value: entry.value, version: entry.version, advanced: true };
  }

  /** Upserts the row with the next version and records it in history. The caller holds the lock. */
  async #write(
    trx: Db,
    target: StateTarget,
    key: string,
    row: StateRowVersion | undefined,
    write: { json: string; sealed: string; expiresAt: number | null; writer: StateWriter | undefined; now: number },
  ): Promise<StateEntry> {
    const version = (row ? row.version : await lastHistoryVersion(trx, target, key)) + 1;
    const updatedBy = write.writer ? JSON.stringify(write.writer) : null;
    const stored = {
      value: write.sealed,
      version,
      updated_at: write.now,
      expires_at: write.expiresAt,
      updated_by: updatedBy,
    };
    await storeStateVersion(trx, this.#database.dialect, target, key, row?.id, stored, this.#settings.historyDepth);
    return writtenEntry(key, write, version);
  }

  #toEntry(row: StoredStateRow): StateEntry {
    return toEntry(row, this.cipher.open(row.value));
  }
}

interface PreparedSet {
  readonly json: string;
  /** The JSON as stored (encrypted when a state key is configured). */
  readonly sealed: string;
  readonly expiresAt: number | null;
}

function prepareDelete(key: string, options: StateDeleteOptions): void {
  validateStateKey(key);
  validateIfVersion(options.ifVersion);
}

/** The entry a fast path stored (undefined when it wrote nothing). */
function writtenRewrite(
  rewrite: OwnTaskKeyRewrite,
  write: PreparedSet,
  options: StateSetOptions,
  version: number | undefined,
): StateEntry | undefined {
  if (version === undefined) return undefined;
  const stored = { json: write.json, expiresAt: write.expiresAt, writer: options.writer, now: rewrite.now };
  return writtenEntry(rewrite.key, stored, version);
}

/**
 * The entry a write stored, as `set` and `advance` answer it. Its value is decoded when first read:
 * the execution API answers a `set` with the version alone, and parsing a large value back cost a
 * fifth of its write (46 KB: 272 µs of about 1.2 ms).
 */
function writtenEntry(
  key: string,
  write: { json: string; expiresAt: number | null; writer: StateWriter | undefined; now: number },
  version: number,
): StateEntry {
  let value: StateValue | undefined;
  return {
    key,
    get value() {
      value ??= decodeStateValue(write.json);
      return value;
    },
    version,
    updatedAt: write.now,
    expiresAt: write.expiresAt,
    updatedBy: write.writer ?? null,
  };
}

function toEntry(row: StoredStateRow, json: string): StateEntry {
  return {
    key: row.key,
    value: decodeStateValue(json),
    version: row.version,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    updatedBy: parseWriter(row.updated_by),
  };
}

function parseWriter(json: string | null): StateWriter | null {
  return json === null ? null : (JSON.parse(json) as StateWriter);
}

/** A delete is recorded as the key's next version, with no value. */
function tombstone(row: Pick<StoredStateRow, 'key' | 'version'>, now: number, writer: StateWriter | undefined) {
  return {
    key: row.key,
    version: row.version + 1,
    operation: 'delete' as const,
    value: null,
    writtenAt: now,
    writtenBy: writer ? JSON.stringify(writer) : null,
  };
}

/** An expired row is absent: its version is 0 for compare-and-set. */
function assertVersionMatches(
  key: string,
  row: StateRowVersion | undefined,
  now: number,
  ifVersion: number | undefined,
): void {
  if (ifVersion === undefined) return;
  const current = row && isLive(row, now) ? row.version : 0;
  if (current !== ifVersion) throw new StateConflictError(key, ifVersion, current);
}

function validateIfVersion(ifVersion: number | undefined): void {
  if (ifVersion === undefined) return;
  if (!Number.isSafeInteger(ifVersion) || ifVersion < 0) {
    throw new InvalidStateOptionError(
      `if_version must be a whole number ≥ 0 (0 = only if absent), got ${JSON.stringify(ifVersion)}`,
    );
  }
}

function validateExpiry(scope: StateScope, expiresAt: number | null | undefined): number | null {
  if (expiresAt === undefined || expiresAt === null) return null;
  if (scope.kind === 'asset') {
    throw new InvalidStateOptionError(
      'asset state never expires; expires_at and retention apply to task and DAG state only',
    );
  }
  if (!Number.isSafeInteger(expiresAt) || expiresAt < 0 || expiresAt > MAX_EXPIRES_AT) {
    throw new InvalidStateOptionError(
      `expires_at must be a time between 1970 and 9999 (epoch milliseconds), got ${JSON.stringify(expiresAt)}`,
    );
  }
  return expiresAt;
}

const MAX_EXPIRES_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function validateLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new InvalidStateOptionError(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
  }
  return limit;
}

function validateOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidStateOptionError(`offset must be a whole number ≥ 0, got ${offset}`);
  }
  return offset;
}
