import { type AssetReference, assetsOfCondition, type DagImportError, type SerializedDag } from '@tidemark/core';
import {
  activateAsset,
  type Db,
  deactivateAsset,
  deactivateDags,
  listActiveAssets,
  listActiveDagLocations,
  listActiveSerializedDags,
  listImportErrors,
  replaceImportErrors,
  syncAssetWatchers,
  syncDagScheduleAssets,
  upsertSerializedDag,
} from '@tidemark/db';
import { assetKey, resolveDeclaredAssets } from './declared-assets.ts';
import { resolveDeclaredWatchers } from './declared-watchers.ts';
import type { ParsedDagFile } from './parsed-dag-file.ts';
import { type DagOwnership, resolveDagOwners } from './resolve-dag-owners.ts';

export interface DagSyncResult {
  /** DAGs stored (new or re-parsed) in this pass. */
  readonly dags: string[];
  /** Import errors recorded in this pass: of the files parsed, and of files whose clashes changed. */
  readonly errors: DagImportError[];
  readonly deactivatedDags: string[];
  readonly activatedAssets: AssetReference[];
  readonly deactivatedAssets: AssetReference[];
}

/**
 * Brings the database in line with the DAG files: `files` holds what every file in the DAGs folder
 * defined when last parsed, `parsedFilelocs` the ones parsed in this pass. Run it in one transaction.
 */
export async function syncDagsToDatabase(
  db: Db,
  files: readonly ParsedDagFile[],
  parsedFilelocs: ReadonlySet<string>,
  now: number,
): Promise<DagSyncResult> {
  const previousOwners = new Map((await listActiveDagLocations(db)).map((dag) => [dag.dagId, dag.fileloc]));
  const ownership = resolveDagOwners(files, previousOwners);
  const clashes = await rejectAssetClashes(db, dagsToStore(ownership, previousOwners, parsedFilelocs));
  const dags = await storeDags(db, clashes.accepted, now);
  const deactivatedDags = [...previousOwners.keys()].filter((dagId) => !ownership.owners.has(dagId));
  await deactivateDags(db, deactivatedDags, now);
  const assets = await syncActiveAssets(db, now);
  await syncScheduleAssets(db);
  const watcherErrors = await syncWatchers(db, now);
  const errors = await syncImportErrors(
    db,
    [
      ...files.flatMap((file) => file.errors),
      ...ownership.duplicateErrors,
      ...clashes.errors,
      ...assets.conflictErrors,
      ...watcherErrors,
    ],
    new Set([...files.map((file) => file.fileloc)]),
    parsedFilelocs,
    now,
  );
  return { dags, errors, deactivatedDags, ...assets.changes };
}

/** The DAGs of the files parsed now, and those that moved to another file or came back. */
function dagsToStore(
  ownership: DagOwnership,
  previousOwners: ReadonlyMap<string, string>,
  parsedFilelocs: ReadonlySet<string>,
): SerializedDag[] {
  const dags: SerializedDag[] = [];
  for (const [dagId, claim] of ownership.owners) {
    if (!claim.found) continue;
    if (!parsedFilelocs.has(claim.fileloc) && previousOwners.get(dagId) === claim.fileloc) continue;
    dags.push(claim.found.dag);
  }
  return dags;
}

/**
 * Keeps out the DAGs to store that declare an asset another DAG declares with another uri (or a uri
 * it declares with another name): such a DAG is an import error of its file and is not loaded, so
 * that it never runs with assets it does not have; a version stored before stays. Assets active now
 * win the clash, then the first by fileloc. Leaving a DAG out can end another's clash only with it,
 * so this repeats until no DAG to store clashes.
 */
async function rejectAssetClashes(
  db: Db,
  candidates: readonly SerializedDag[],
): Promise<{ accepted: SerializedDag[]; errors: DagImportError[] }> {
  const stored = await listActiveSerializedDags(db);
  const active = await listActiveAssets(db);
  let accepted = [...candidates];
  const errors: DagImportError[] = [];
  for (;;) {
    const loading = new Set(accepted.map((dag) => dag.dagId));
    const dags = [...stored.filter((dag) => !loading.has(dag.dagId)), ...accepted];
    const declared = resolveDeclaredAssets(dags, active, loading);
    if (declared.rejections.length === 0) return { accepted, errors };
    const rejected = new Set(declared.rejections.map((rejection) => rejection.dagId));
    errors.push(...declared.rejections.map((rejection) => rejection.error));
    accepted = accepted.filter((dag) => !rejected.has(dag.dagId));
  }
}

async function storeDags(db: Db, dags: readonly SerializedDag[], now: number): Promise<string[]> {
  for (const dag of dags) await upsertSerializedDag(db, dag, now);
  return dags.map((dag) => dag.dagId);
}

/** SPEC §4: an asset is active while an active DAG declares it; deactivating leaves its state to GC. */
async function syncActiveAssets(db: Db, now: number) {
  const active = await listActiveAssets(db);
  const declared = resolveDeclaredAssets(await listActiveSerializedDags(db), active);
  const declaredKeys = new Set(declared.assets.map(assetKey));
  const activeKeys = new Set(active.map(assetKey));
  const deactivated = active.filter((asset) => !declaredKeys.has(assetKey(asset)));
  for (const asset of deactivated) await deactivateAsset(db, asset.id);
  const activated = declared.assets.filter((asset) => !activeKeys.has(assetKey(asset)));
  for (const asset of activated) await activateAsset(db, asset, now);
  return {
    conflictErrors: declared.conflictErrors,
    changes: {
      activatedAssets: activated,
      deactivatedAssets: deactivated.map(({ name, uri }) => ({ name, uri })),
    },
  };
}

/** SPEC §15.1: which assets each active DAG is scheduled on, so that their events are queued for it. */
async function syncScheduleAssets(db: Db): Promise<void> {
  const wanted = new Map<string, AssetReference[]>();
  for (const dag of await listActiveSerializedDags(db)) {
    if (dag.assetCondition) wanted.set(dag.dagId, assetsOfCondition(dag.assetCondition));
  }
  await syncDagScheduleAssets(db, wanted);
}

/**
 * SPEC §15.3: the watchers the active DAGs declare, one row each in `asset_watcher` (status kept
 * across re-parses; undeclared ones become inactive). Returns the clashes, as import errors.
 */
async function syncWatchers(db: Db, now: number): Promise<DagImportError[]> {
  const declared = resolveDeclaredWatchers(await listActiveSerializedDags(db), await listActiveAssets(db));
  await syncAssetWatchers(db, declared.watchers, now);
  return declared.conflictErrors;
}

/**
 * Rewrites the import errors of the files parsed now, of files whose errors changed (a clash with
 * another file appeared or went), and removes those of files that are gone. Returns what it wrote.
 */
async function syncImportErrors(
  db: Db,
  errors: readonly DagImportError[],
  presentFilelocs: ReadonlySet<string>,
  parsedFilelocs: ReadonlySet<string>,
  now: number,
): Promise<DagImportError[]> {
  const wanted = groupByFileloc(errors);
  const stored = groupByFileloc(await listImportErrors(db));
  const filelocs = new Set([...presentFilelocs, ...wanted.keys(), ...stored.keys()]);
  const written: DagImportError[] = [];
  for (const fileloc of [...filelocs].sort()) {
    const fileErrors = presentFilelocs.has(fileloc) ? (wanted.get(fileloc) ?? []) : [];
    if (!parsedFilelocs.has(fileloc) && sameErrors(stored.get(fileloc) ?? [], fileErrors)) continue;
    await replaceImportErrors(db, fileloc, fileErrors, now);
    written.push(...fileErrors);
  }
  return written;
}

function groupByFileloc(errors: readonly DagImportError[]): Map<string, DagImportError[]> {
  const groups = new Map<string, DagImportError[]>();
  for (const error of errors) groups.set(error.fileloc, [...(groups.get(error.fileloc) ?? []), error]);
  return groups;
}

function sameErrors(a: readonly DagImportError[], b: readonly DagImportError[]): boolean {
  return a.length === b.length && a.every((error, i) => error.line === b[i]?.line && error.message === b[i]?.message);
}
