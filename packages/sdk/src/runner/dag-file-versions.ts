import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Dag } from '../dag/dag.ts';
import { loadDag } from './load-dag.ts';

/** The version of a DAG file as a reused task process compares it: `<mtime ms>:<size>`; null: unreadable. */
export function dagFileVersion(dagFile: string): string | null {
  try {
    const stat = statSync(dagFile);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return null;
  }
}

/**
 * The DAG files this process imported and the version each had then. The worker reads them from
 * the `ready` message and replaces the process when a file changed; should an attempt still reach a
 * process that imported an older version, the file is imported again under its new version (the
 * modules it imports stay as first loaded).
 */
export class ImportedDagFiles {
  /** Path → the version imported, and the `version` query it was imported under (none the first time). */
  readonly #imported = new Map<string, { readonly version: string; readonly query: string | undefined }>();

  async load(dagFile: string, dagId: string): Promise<Dag> {
    const path = resolve(dagFile);
    const version = dagFileVersion(path) ?? 'unreadable';
    const previous = this.#imported.get(path);
    const query = previous === undefined ? undefined : previous.version === version ? previous.query : version;
    const dag = await loadDag(path, dagId, query);
    this.#imported.set(path, { version, query });
    return dag;
  }

  versions(): Record<string, string> {
    return Object.fromEntries([...this.#imported].map(([path, { version }]) => [path, version]));
  }
}
