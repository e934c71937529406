import { parseStoredDag, type SerializedDag } from '@tidemark/core';
import type { Db } from '../open-database.ts';
import { serializedDagHash } from './serialized-dag-hash.ts';

/** How many DAGs' parsed forms are kept (least recently used go first). */
const MAX_CACHED_DAGS = 64;

const cache = new Map<string, { readonly hash: string; readonly dag: SerializedDag }>();

/**
 * The DAG's structure as stored, parsed once per version. The hot paths (every claim, success and
 * failure of an attempt, every scheduling pass) ask the database for the text's hash only, and for
 * the text itself when this process has not parsed that version yet: a 1,000-task DAG's text is
 * 200 KB, which read and decoded per attempt was most of an attempt's database-side cost.
 * `knownHash` is the row's `serialized_hash` when the caller has read it already (undefined: read it
 * here). Undefined when the DAG is unknown or has no stored structure. Callers must not modify the
 * DAG returned (it is shared).
 */
export async function readSerializedDag(
  db: Db,
  dagId: string,
  knownHash?: string | null,
): Promise<SerializedDag | undefined> {
  const hash = knownHash === undefined ? await readHash(db, dagId) : knownHash;
  if (hash === undefined) return undefined;
  const hit = hash === null ? undefined : cachedDag(dagId, hash);
  if (hit) return hit;
  const row = await db
    .selectFrom('dag')
    .select(['serialized', 'serialized_hash'])
    .where('dag_id', '=', dagId)
    .executeTakeFirst();
  if (!row?.serialized) return undefined;
  return parseStoredDagCached(row.serialized, dagId, row.serialized_hash ?? undefined);
}

/** The row's hash; null when the row has none, undefined when there is no row. */
async function readHash(db: Db, dagId: string): Promise<string | null | undefined> {
  const row = await db.selectFrom('dag').select('serialized_hash').where('dag_id', '=', dagId).executeTakeFirst();
  return row?.serialized_hash;
}

/**
 * parseStoredDag, remembered per DAG while its text stays the same (same hash). A changed text (the
 * DAG processor stored a new version) is parsed again. Throws as parseStoredDag does, caching nothing.
 */
export function parseStoredDagCached(text: string, dagId: string, hash = serializedDagHash(text)): SerializedDag {
  const hit = cachedDag(dagId, hash);
  if (hit) return hit;
  const dag = parseStoredDag(text, dagId);
  cache.delete(dagId);
  cache.set(dagId, { hash, dag });
  if (cache.size > MAX_CACHED_DAGS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return dag;
}

function cachedDag(dagId: string, hash: string): SerializedDag | undefined {
  const hit = cache.get(dagId);
  if (hit?.hash !== hash) return undefined;
  // Most recently used goes last.
  cache.delete(dagId);
  cache.set(dagId, hit);
  return hit.dag;
}
