import { assetScope, decodeStateValue, isAdvance } from '@tidemark/core';
import type { DialectName } from '../dialect/database-url.ts';
import type { Db } from '../open-database.ts';
import type { StateValueCipher } from './encryption/state-value-cipher.ts';
import { lastHistoryVersion } from './state-history-repository.ts';
import { findStateRow } from './state-rows.ts';
import { requireStateTarget } from './state-target.ts';
import { storeStateVersion } from './state-version-write.ts';

/**
 * SPEC §7 staged asset writes (`{ onSuccess: true }`): a write recorded in `state_pending`, tied to
 * one attempt (TI id + try number), applied in the transaction that marks the TI `success` and
 * dropped when the attempt fails or skips. Readers never see a staged value before it is applied.
 *
 * With the metastore backend they go straight to its `asset_state` table (the same rows and history
 * the backend writes) inside the success transaction. A custom `state.backend` lives elsewhere: the
 * success transaction then takes the writes out (`takeStagedAssetWrites`) and the caller replays them
 * through the backend right after the commit.
 */

export type StagedOperation = 'set' | 'advance';

export interface StagedAssetWrite {
  readonly tiId: string;
  readonly tryNumber: number;
  readonly assetId: number;
  readonly key: string;
  readonly operation: StagedOperation;
  /** JSON text, already validated (SPEC §5) by the caller. */
  readonly value: string;
  /** JSON of the StateWriter. */
  readonly writtenBy: string | null;
  readonly now: number;
}

/** The value goes into `state_pending` sealed by `cipher` (SPEC §17), like every stored state value. */
export async function stageAssetWrite(db: Db, write: StagedAssetWrite, cipher: StateValueCipher): Promise<void> {
  await db
    .insertInto('state_pending')
    .values({
      ti_id: write.tiId,
      try_number: write.tryNumber,
      asset_id: write.assetId,
      key: write.key,
      operation: write.operation,
      value: cipher.seal(write.value),
      written_by: write.writtenBy,
      created_at: write.now,
    })
    .execute();
}

/**
 * Applies the attempt's staged writes in order, inside the caller's transaction, and removes them.
 * `set` upserts the value with the next version; `advance` applies only when greater (SPEC §7).
 * Returns how many changed a value.
 */
export async function applyStagedAssetWrites(
  trx: Db,
  attempt: {
    readonly tiId: string;
    readonly tryNumber: number;
    readonly now: number;
    readonly dialect: DialectName;
    /** `state.history_depth`. */
    readonly historyDepth: number;
    /** Opens the stored values an advance compares; the staged value is stored as it was sealed. */
    readonly cipher: StateValueCipher;
  },
): Promise<number> {
  const staged = await selectStagedWrites(trx, attempt);
  let applied = 0;
  for (const write of staged) {
    const target = await requireStateTarget(trx, attempt.dialect, assetScope(Number(write.asset_id)));
    const row = await findStateRow(trx, attempt.dialect, target, write.key, true);
    if (row && write.operation === 'advance' && !advances(write.key, row.value, write.value, attempt.cipher)) continue;
    const version = (row ? row.version : await lastHistoryVersion(trx, target, write.key)) + 1;
    const stored = {
      value: write.value,
      version,
      updated_at: attempt.now,
      expires_at: null,
      updated_by: write.written_by,
    };
    await storeStateVersion(trx, attempt.dialect, target, write.key, row?.id, stored, attempt.historyDepth);
    applied++;
  }
  // None staged, none to drop: the caller holds the TI's row lock, on which a new staged row's foreign key waits.
  if (staged.length > 0) await dropStagedAssetWrites(trx, attempt);
  return applied;
}

/** A staged write as the caller replays it through a custom backend. */
export interface TakenStagedWrite {
  readonly assetId: number;
  readonly key: string;
  readonly operation: StagedOperation;
  /** JSON text. */
  readonly value: string;
  /** JSON of the StateWriter, or null. */
  readonly writtenBy: string | null;
}

/** Removes the attempt's staged writes inside the caller's transaction and returns them in order. */
export async function takeStagedAssetWrites(
  trx: Db,
  attempt: { readonly tiId: string; readonly tryNumber: number },
  cipher: StateValueCipher,
): Promise<TakenStagedWrite[]> {
  const staged = await selectStagedWrites(trx, attempt);
  await dropStagedAssetWrites(trx, attempt);
  return staged.map((write) => ({
    assetId: Number(write.asset_id),
    key: write.key,
    operation: write.operation as StagedOperation,
    value: cipher.open(write.value),
    writtenBy: write.written_by,
  }));
}

function selectStagedWrites(db: Db, attempt: { readonly tiId: string; readonly tryNumber: number }) {
  return db
    .selectFrom('state_pending')
    .selectAll()
    .where('ti_id', '=', attempt.tiId)
    .where('try_number', '=', attempt.tryNumber)
    .orderBy('id')
    .execute();
}

/** The attempt will never succeed: its staged writes go. */
export async function dropStagedAssetWrites(
  db: Db,
  attempt: { readonly tiId: string; readonly tryNumber: number },
): Promise<void> {
  await db
    .deleteFrom('state_pending')
    .where('ti_id', '=', attempt.tiId)
    .where('try_number', '=', attempt.tryNumber)
    .execute();
}

/** A staged advance whose type no longer matches the stored value is skipped: it must not fail the success. */
function advances(key: string, stored: string, candidate: string, cipher: StateValueCipher): boolean {
  try {
    return isAdvance(key, decodeStateValue(cipher.open(stored)), decodeStateValue(cipher.open(candidate)));
  } catch {
    return false;
  }
}
