import { parseStoredDag, type SerializedDag } from '@tidemark/core';

/** How many DAGs' parsed forms are kept (least recently used go first). */
const MAX_CACHED_DAGS = 64;

const cache = new Map<string, { readonly text: string; readonly dag: SerializedDag }>();

/**
 * parseStoredDag, remembered per DAG while its stored text stays the same: the hot paths (every
 * claim, success and failure of an attempt, every scheduling pass) read the text but skip the JSON
 * parse and schema check of a DAG they saw before, which for a 1,000-task DAG is most of an
 * attempt's database-side cost. A changed text (the DAG processor stored a new version) is parsed
 * again. Callers must not modify the DAG returned (it is shared).
 */
export function parseStoredDagCached(text: string, dagId: string): SerializedDag {
  const hit = cache.get(dagId);
  if (hit && hit.text === text) {
    cache.delete(dagId);
    cache.set(dagId, hit);
    return hit.dag;
  }
  const dag = parseStoredDag(text, dagId);
  cache.delete(dagId);
  cache.set(dagId, { text, dag });
  if (cache.size > MAX_CACHED_DAGS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return dag;
}
