import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Dag, isDag } from '../dag/dag.ts';
import { DagFileImportError, DagNotInFileError } from '../errors.ts';

/**
 * Imports the DAG file and returns the DAG `dagId` it exports. `version` (e.g. the file's mtime)
 * makes a long-lived process import the file again once it changed; the modules it imports stay
 * as first loaded.
 */
export async function loadDag(dagFile: string, dagId: string, version?: string): Promise<Dag> {
  const path = resolve(dagFile);
  const url = pathToFileURL(path);
  if (version !== undefined) url.searchParams.set('version', version);
  let exports: Record<string, unknown>;
  try {
    exports = await import(url.href);
  } catch (error) {
    throw new DagFileImportError(path, error);
  }
  const dags = exportedDags(exports);
  const found = dags.find((candidate) => candidate.dagId === dagId);
  if (!found) throw new DagNotInFileError(dagId, path, [...new Set(dags.map((candidate) => candidate.dagId))]);
  return found;
}

/** The DAGs among a module's exports (default or named); for CommonJS, also inside `module.exports`. */
function exportedDags(exports: Record<string, unknown>): Dag[] {
  const values = Object.values(exports);
  const moduleExports = exports.default;
  if (isPlainObject(moduleExports)) values.push(...Object.values(moduleExports));
  return values.filter(isDag);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
