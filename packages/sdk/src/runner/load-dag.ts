import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Dag, isDag } from '../dag/dag.ts';
import { DagFileImportError, DagNotInFileError } from '../errors.ts';

export async function loadDag(dagFile: string, dagId: string): Promise<Dag> {
  const path = resolve(dagFile);
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(path).href);
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
