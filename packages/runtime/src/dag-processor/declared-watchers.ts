import type { AssetReference, DagImportError, SerializedDag, SerializedWatcher } from '@tidemark/core';
import type { DeclaredWatcher } from '@tidemark/db';
import { assetKey } from './declared-assets.ts';

export interface ResolvedWatchers {
  /** Every watcher the active DAGs declare, each once, on an active asset. */
  readonly watchers: DeclaredWatcher[];
  /** For declarations that clash with the watcher's owner (another interval), or have no valid interval. */
  readonly conflictErrors: DagImportError[];
}

interface Declaration {
  readonly watcher: SerializedWatcher;
  readonly dag: SerializedDag;
}

/**
 * The watchers the DAGs declare (SPEC §15.3). A watcher is identified by its asset and its name;
 * when several DAGs declare it, the first by fileloc (then DAG id) owns it, and a later declaration
 * with another interval is an import error of its DAG's file (and is ignored). A watcher whose
 * asset is not active (its declaration clashed with another asset) is left out: that clash is
 * already reported.
 */
export function resolveDeclaredWatchers(
  dags: readonly SerializedDag[],
  activeAssets: readonly (AssetReference & { readonly id: number })[],
): ResolvedWatchers {
  const assetIds = new Map(activeAssets.map((asset) => [assetKey(asset), asset.id]));
  const owners = new Map<string, Declaration>();
  const watchers: DeclaredWatcher[] = [];
  const conflictErrors: DagImportError[] = [];
  for (const declaration of declarationsOf(dags)) {
    const { watcher, dag } = declaration;
    if (!Number.isSafeInteger(watcher.everyMs) || watcher.everyMs < 1) {
      conflictErrors.push(invalidIntervalError(declaration));
      continue;
    }
    const assetId = assetIds.get(assetKey(watcher.asset));
    if (assetId === undefined) continue;
    const key = `${assetId}\n${watcher.name}`;
    const owner = owners.get(key);
    if (!owner) {
      owners.set(key, declaration);
      watchers.push({ assetId, name: watcher.name, dagId: dag.dagId, fileloc: dag.fileloc, everyMs: watcher.everyMs });
    } else if (owner.watcher.everyMs !== watcher.everyMs) {
      conflictErrors.push(conflictError(declaration, owner));
    }
  }
  return { watchers, conflictErrors };
}

function declarationsOf(dags: readonly SerializedDag[]): Declaration[] {
  const ordered = [...dags].sort((a, b) => compare(a.fileloc, b.fileloc) || compare(a.dagId, b.dagId));
  return ordered.flatMap((dag) =>
    (dag.watchers ?? []).map((watcher) => ({
      watcher: { ...watcher, asset: { name: watcher.asset.name, uri: watcher.asset.uri ?? watcher.asset.name } },
      dag,
    })),
  );
}

function conflictError(declaration: Declaration, owner: Declaration): DagImportError {
  const { watcher, dag } = declaration;
  return {
    fileloc: dag.fileloc,
    line: null,
    message:
      `DAG "${dag.dagId}" declares watcher "${watcher.name}" on asset "${watcher.asset.name}" every ${watcher.everyMs} ms, ` +
      `but DAG "${owner.dag.dagId}" (${owner.dag.fileloc}) declares it every ${owner.watcher.everyMs} ms; a watcher is ` +
      'identified by its asset and its name, so declare it the same way in both DAGs or rename one: this declaration is ignored',
  };
}

function invalidIntervalError({ watcher, dag }: Declaration): DagImportError {
  return {
    fileloc: dag.fileloc,
    line: null,
    message:
      `DAG "${dag.dagId}" declares watcher "${watcher.name}" on asset "${watcher.asset.name}" with interval ` +
      `${JSON.stringify(watcher.everyMs)}; "every" must be a whole number of milliseconds ≥ 1 (or a duration such as "5s"): ` +
      'this declaration is ignored',
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
