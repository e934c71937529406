import { createHash } from 'node:crypto';

/** What `dag.serialized_hash` holds for a serialized DAG: the SHA-256 of its text, in hex. */
export function serializedDagHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
