import { type SqlBool, sql } from 'kysely';
import type { Db, MetadataDatabase } from '../../open-database.ts';
import { inWriteTransaction } from '../../write-transaction.ts';
import type { StateValueCipher } from './state-value-cipher.ts';

/** Every table that stores state values (SPEC §17: all of them are sealed). */
export const TABLES_WITH_STATE_VALUES = [
  'task_state',
  'asset_state',
  'dag_state',
  'state_history',
  'state_pending',
] as const;

type ValueTable = (typeof TABLES_WITH_STATE_VALUES)[number];

export interface StateEncryptionRotation {
  readonly batchSize: number;
  /** After every batch: rows rewritten so far. */
  readonly onProgress?: ((rewritten: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface StateEncryptionRotationReport {
  /** Rows now sealed with the current key (or, with no current key, stored as plain JSON). */
  readonly rewritten: number;
  /** Rows that changed between being read and rewritten: a writer already stored them anew. */
  readonly skipped: number;
  /** SQLite: why the old bytes could not be vacuumed out of the file (then run `VACUUM` later). */
  readonly vacuumFailed?: string;
}

/**
 * `tidemark state-store rotate-key`: re-seals every stored state value that is not sealed with the
 * current `state.encryption_key` (plain values stored before the key was set, values under an old
 * key). Walks each table by id in batches, one short transaction per batch; a row is rewritten only
 * if it still holds the text that was read, so a concurrent write is never undone. Idempotent and
 * safe to interrupt: a second run picks up what is left. With no current key and old keys listed,
 * it decrypts everything back to plain JSON.
 */
export async function rotateStateEncryption(
  database: MetadataDatabase,
  cipher: StateValueCipher,
  rotation: StateEncryptionRotation,
): Promise<StateEncryptionRotationReport> {
  let rewritten = 0;
  let skipped = 0;
  for (const table of TABLES_WITH_STATE_VALUES) {
    let afterId = 0;
    for (;;) {
      rotation.signal?.throwIfAborted();
      const batch = await selectStale(database.db, table, cipher, afterId, rotation.batchSize);
      if (batch.length === 0) break;
      afterId = Number(batch[batch.length - 1]?.id);
      const result = await inWriteTransaction(database, (trx) => resealBatch(trx, table, cipher, batch));
      rewritten += result.rewritten;
      skipped += result.skipped;
      rotation.onProgress?.(rewritten);
    }
  }
  const vacuumFailed = rewritten > 0 ? await dropOldPageImages(database) : undefined;
  return { rewritten, skipped, ...(vacuumFailed === undefined ? {} : { vacuumFailed }) };
}

/**
 * SQLite keeps the bytes of rewritten rows in free pages and in its write-ahead log until they are
 * reused, so the old text (plain, or sealed with the retired key) would stay in the file. VACUUM
 * rebuilds the file without them and the checkpoint empties the log. PostgreSQL keeps old row
 * versions only until its (auto)vacuum; a dump never holds them.
 */
async function dropOldPageImages(database: MetadataDatabase): Promise<string | undefined> {
  if (database.dialect !== 'sqlite') return undefined;
  try {
    await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
    await sql`vacuum`.execute(database.db);
    await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
    return undefined;
  } catch (error) {
    // The values are re-encrypted either way; only the clean-up of old bytes waits (a busy database).
    return (error as Error).message;
  }
}

/** How many stored values a rotation would rewrite now: the total of a progress bar. */
export async function countStaleStateValues(database: MetadataDatabase, cipher: StateValueCipher): Promise<number> {
  let total = 0;
  for (const table of TABLES_WITH_STATE_VALUES) {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('count'))
      .where(staleValue(cipher))
      .executeTakeFirstOrThrow();
    total += Number(row.count);
  }
  return total;
}

interface StoredValue {
  readonly id: number | string;
  readonly value: string | null;
}

/** The text a value sealed with the current key starts with; with no current key, every sealed value is stale. */
function staleValue(cipher: StateValueCipher) {
  const current = cipher.currentKeyId;
  return current === undefined
    ? sql<SqlBool>`value like 'enc:v1:%'`
    : sql<SqlBool>`value is not null and value not like ${`enc:v1:${current}:%`}`;
}

function selectStale(
  db: Db,
  table: ValueTable,
  cipher: StateValueCipher,
  afterId: number,
  limit: number,
): Promise<StoredValue[]> {
  return (db as unknown as Db)
    .selectFrom(table as 'task_state')
    .select(['id', 'value'])
    .where(staleValue(cipher))
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

async function resealBatch(
  trx: Db,
  table: ValueTable,
  cipher: StateValueCipher,
  batch: readonly StoredValue[],
): Promise<{ rewritten: number; skipped: number }> {
  let rewritten = 0;
  let skipped = 0;
  for (const row of batch) {
    if (row.value === null || cipher.isSealedWithCurrentKey(row.value)) continue;
    const result = await trx
      .updateTable(table as 'task_state')
      .set({ value: cipher.seal(cipher.open(row.value)) })
      .where('id', '=', Number(row.id))
      .where('value', '=', row.value)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) rewritten++;
    else skipped++;
  }
  return { rewritten, skipped };
}
