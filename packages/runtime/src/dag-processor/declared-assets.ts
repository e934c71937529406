import { type AssetReference, assetsOfCondition, type DagImportError, type SerializedDag } from '@tidemark/core';

export interface DeclaredAssets {
  /** Every asset the DAGs declare, each once, none sharing a name or a uri with another. */
  readonly assets: AssetReference[];
  /** For declarations that clash with an asset already taken. */
  readonly conflictErrors: DagImportError[];
  /** The clashes of DAGs of `loading` (also in `conflictErrors`): those DAGs are not to be stored. */
  readonly rejections: { readonly dagId: string; readonly error: DagImportError }[];
}

interface Declaration {
  readonly asset: AssetReference;
  readonly dag: SerializedDag;
}

/**
 * The assets the DAGs declare as inlets, outlets, in their schedule or with a watcher. A name and a uri each identify one asset, so a
 * declaration that pairs a taken name with another uri (or a taken uri with another name) is an
 * import error of its DAG's file. Assets active now win such clashes, then the first by fileloc.
 */
export function resolveDeclaredAssets(
  dags: readonly SerializedDag[],
  activeAssets: readonly AssetReference[],
  /** DAGs about to be stored: a clash keeps such a DAG out instead of ignoring the declaration. */
  loading: ReadonlySet<string> = new Set(),
): DeclaredAssets {
  const declarations = declarationsOf(dags);
  const activeKeys = new Set(activeAssets.map(assetKey));
  const byName = new Map<string, Declaration>();
  const byUri = new Map<string, Declaration>();
  const accept = (declaration: Declaration) => {
    byName.set(declaration.asset.name, declaration);
    byUri.set(declaration.asset.uri, declaration);
  };
  for (const declaration of declarations) {
    if (activeKeys.has(assetKey(declaration.asset)) && !byName.has(declaration.asset.name)) accept(declaration);
  }
  const conflictErrors: DagImportError[] = [];
  const reported = new Set<string>();
  const rejections: { dagId: string; error: DagImportError }[] = [];
  for (const declaration of declarations) {
    const { name, uri } = declaration.asset;
    const { dagId } = declaration.dag;
    const taken = byName.get(name) ?? byUri.get(uri);
    if (!taken) {
      accept(declaration);
    } else if (assetKey(taken.asset) !== assetKey(declaration.asset)) {
      const errorKey = `${dagId}\n${assetKey(declaration.asset)}`;
      const rejecting = loading.has(dagId);
      if (!reported.has(errorKey)) {
        const error = conflictError(declaration, taken, rejecting);
        conflictErrors.push(error);
        if (rejecting) rejections.push({ dagId, error });
      }
      reported.add(errorKey);
    }
  }
  return {
    assets: [...byName.values()].map((declaration) => declaration.asset),
    conflictErrors,
    rejections,
  };
}

export function assetKey(asset: AssetReference): string {
  return `${asset.name}\n${asset.uri}`;
}

function declarationsOf(dags: readonly SerializedDag[]): Declaration[] {
  const ordered = [...dags].sort((a, b) => compare(a.fileloc, b.fileloc) || compare(a.dagId, b.dagId));
  return ordered.flatMap((dag) =>
    assetsDeclaredBy(dag).map((asset) => ({ asset: { name: asset.name, uri: asset.uri ?? asset.name }, dag })),
  );
}

/** The DAG's inlets and outlets, then the assets its schedule names, then those its watchers are on. */
export function assetsDeclaredBy(dag: SerializedDag): AssetReference[] {
  return [
    ...dag.tasks.flatMap((task) => [...(task.inlets ?? []), ...(task.outlets ?? [])]),
    ...(dag.assetCondition ? assetsOfCondition(dag.assetCondition) : []),
    ...(dag.watchers ?? []).map((watcher) => watcher.asset),
  ];
}

function conflictError(declaration: Declaration, taken: Declaration, rejecting: boolean): DagImportError {
  const { asset, dag } = declaration;
  return {
    fileloc: dag.fileloc,
    line: null,
    message:
      `DAG "${dag.dagId}" declares asset "${asset.name}" with uri "${asset.uri}", but DAG "${taken.dag.dagId}" ` +
      `(${taken.dag.fileloc}) declares asset "${taken.asset.name}" with uri "${taken.asset.uri}"; a name and a uri ` +
      'each identify one asset, so use the same pair in both DAGs or rename one: ' +
      (rejecting
        ? `until then DAG "${dag.dagId}" is not loaded (a version loaded before stays)`
        : 'this declaration is ignored'),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
