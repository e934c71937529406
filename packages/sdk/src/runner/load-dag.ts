import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TidemarkError } from '@tidemark/core/task-process';
import { type Dag, isDag } from '../dag/dag.ts';
import { describeThrown } from './describe-thrown.ts';

/** The DAG file imported, but it does not export the DAG: retrying cannot help. */
export class DagNotInFileError extends TidemarkError {
  constructor(dagId: string, dagFile: string, foundDagIds: readonly string[]) {
    super(
      'dag_not_in_file',
      `DAG "${dagId}" is not defined in ${dagFile}: ` +
        (foundDagIds.length > 0
          ? `the file exports ${foundDagIds.map((id) => `"${id}"`).join(', ')}`
          : 'the file exports no DAG (export the value dag(...) returns, as default or named export)'),
      { dag_id: dagId, dag_file: dagFile },
    );
  }
}

/** The DAG file could not be imported (syntax error, failing import, definition error). */
export class DagFileImportError extends TidemarkError {
  constructor(dagFile: string, cause: unknown) {
    super('dag_file_import_failed', `cannot import DAG file ${dagFile}: ${describeThrown(cause)}`, {
      dag_file: dagFile,
    });
  }
}

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
