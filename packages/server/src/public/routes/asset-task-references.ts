import { type AssetTaskReference, assetsOfCondition, type SerializedDag } from '@tidemark/core';

export interface AssetTasks {
  readonly consuming: readonly AssetTaskReference[];
  readonly producing: readonly AssetTaskReference[];
  /** DAGs whose schedule names the asset. */
  readonly scheduled: readonly { readonly dag_id: string }[];
}

const NONE: AssetTasks = { consuming: [], producing: [], scheduled: [] };

/**
 * Which tasks declare which asset, read from the DAGs' structure: inlets consume, outlets produce;
 * and which DAGs are scheduled on it.
 * An asset is identified by name and URI together (a reference without a URI means its name).
 * Computed in memory from the active DAGs; fine while DAG counts are in the hundreds.
 */
export class AssetTaskIndex {
  readonly #byAsset = new Map<
    string,
    { consuming: AssetTaskReference[]; producing: AssetTaskReference[]; scheduled: { dag_id: string }[] }
  >();

  constructor(dags: readonly SerializedDag[]) {
    for (const dag of dags) {
      for (const task of dag.tasks) {
        const reference = { dag_id: dag.dagId, task_id: task.taskId };
        for (const inlet of task.inlets) this.#entry(inlet.name, inlet.uri ?? inlet.name).consuming.push(reference);
        for (const outlet of task.outlets)
          this.#entry(outlet.name, outlet.uri ?? outlet.name).producing.push(reference);
      }
      if (dag.assetCondition) {
        for (const asset of assetsOfCondition(dag.assetCondition))
          this.#entry(asset.name, asset.uri).scheduled.push({ dag_id: dag.dagId });
      }
    }
  }

  tasksOf(asset: { readonly name: string; readonly uri: string }): AssetTasks {
    return this.#byAsset.get(assetKey(asset.name, asset.uri)) ?? NONE;
  }

  #entry(name: string, uri: string) {
    const key = assetKey(name, uri);
    let entry = this.#byAsset.get(key);
    if (!entry) {
      entry = { consuming: [], producing: [], scheduled: [] };
      this.#byAsset.set(key, entry);
    }
    return entry;
  }
}

function assetKey(name: string, uri: string): string {
  return JSON.stringify([name, uri]);
}
