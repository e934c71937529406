import { stat } from 'node:fs/promises';
import type { Dag } from '../dag/dag.ts';
import { loadDag } from './load-dag.ts';

/**
 * The DAGs the watcher process ran watcher polls and deferral checks of, by file, version and DAG
 * id: a process polling hundreds of watchers a second must not go through the module loader (tsx's
 * hooks, on their own thread, included) for each poll. A changed file has a new version and is
 * imported again.
 */
const loadedDags = new Map<string, Promise<Dag>>();
const MAX_LOADED_DAGS = 1_000;

/** Imports a DAG file under a version (loadDag; tests count the imports). */
export type VersionedDagLoader = (dagFile: string, dagId: string, version: string | undefined) => Promise<Dag>;

/** The DAG `dagId` of `dagFile` as the file is now: imported once per version of the file. */
export async function loadDagOfCurrentFile(
  dagFile: string,
  dagId: string,
  load: VersionedDagLoader = loadDag,
): Promise<Dag> {
  const version = await fileVersion(dagFile);
  const key = `${dagFile}\u0000${version ?? ''}\u0000${dagId}`;
  let loaded = loadedDags.get(key);
  if (!loaded) {
    if (loadedDags.size >= MAX_LOADED_DAGS) loadedDags.clear();
    loaded = load(dagFile, dagId, version);
    loadedDags.set(key, loaded);
    // A file that failed to load is tried again the next time.
    loaded.catch(() => loadedDags.delete(key));
  }
  return loaded;
}

/** The file's modification time: a long-lived process imports a DAG file again once it changed. */
async function fileVersion(path: string): Promise<string | undefined> {
  try {
    return String((await stat(path)).mtimeMs);
  } catch {
    return undefined;
  }
}
