import { realpath } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { DagImportError, SerializedDag } from '@tidemark/core';
import { commonJsDagFileReason } from '../dag-file-format/commonjs-dag-file.ts';
import { describeError, errorLineInFile, isSyntaxError } from './import-error-location.ts';
import type { FoundDag, ParsedDagFile } from './parsed-dag-file.ts';
import { failedDagFile } from './parsed-dag-file.ts';
import { syntaxErrorLine } from './syntax-error-line.ts';

/** The SDK marks every `Dag` with this symbol; the processor relies on nothing else of the SDK. */
const DAG_BRAND = Symbol.for('tidemark.dag');
/** While a file is imported, the SDK adds every DAG `dag(...)` creates to the array put here. */
const DEFINED_DAGS = Symbol.for('tidemark.definedDags');

interface DagLike {
  readonly dagId: string;
  readonly definedAt?: { readonly file?: string; readonly line?: number } | null;
  serialize(fileloc: string): unknown;
}

/**
 * Imports one DAG file and serializes the DAGs it exports (default or named). Runs in the parser
 * process: whatever the file does, the result is data, never a throw.
 */
export async function loadDagFile(filePath: string, fileloc: string): Promise<ParsedDagFile> {
  // Node imports a module under its real path, and its errors and stack frames name that path.
  const path = await realpath(filePath).catch(() => filePath);
  const commonJsReason = commonJsDagFileReason(path);
  if (commonJsReason !== null) return failedDagFile(fileloc, null, commonJsReason);
  let namespace: Record<string, unknown>;
  const defined: unknown[] = [];
  const registry = globalThis as { [DEFINED_DAGS]?: unknown[] };
  registry[DEFINED_DAGS] = defined;
  try {
    namespace = await import(pathToFileURL(path).href);
  } catch (error) {
    const line = errorLineInFile(error, path) ?? (isSyntaxError(error) ? syntaxErrorLine(path) : null);
    return failedDagFile(fileloc, line, describeError(error));
  } finally {
    delete registry[DEFINED_DAGS];
  }
  const exported = exportedDags(namespace);
  if (exported.length === 0) {
    const unexported = defined.filter(isDag).filter((candidate) => candidate.definedAt?.file === path);
    if (unexported.length > 0)
      return failedDagFile(fileloc, definedAtLine(unexported[0] as DagLike), notExported(unexported));
  }
  const dags: FoundDag[] = [];
  const errors: DagImportError[] = [];
  const brokenDagIds: string[] = [];
  for (const candidate of exported) {
    const line = definedAtLine(candidate);
    if (typeof candidate.dagId !== 'string' || typeof candidate.serialize !== 'function') {
      errors.push({ fileloc, line, message: 'exports an object marked as a DAG without a dagId and serialize()' });
      continue;
    }
    try {
      dags.push({ dag: checkSerializedDag(candidate.serialize(fileloc), candidate.dagId, fileloc), line });
    } catch (error) {
      brokenDagIds.push(candidate.dagId);
      errors.push({
        fileloc,
        line: line ?? errorLineInFile(error, path),
        message: namingDag(candidate.dagId, describeError(error)),
      });
    }
  }
  return { fileloc, dags, errors, importFailed: false, brokenDagIds };
}

/** The DAG objects among a module's exports, each once; for CommonJS, also inside `module.exports`. */
function exportedDags(namespace: Record<string, unknown>): DagLike[] {
  const values = Object.values(namespace);
  const moduleExports = namespace.default;
  if (isPlainObject(moduleExports) && !isDag(moduleExports)) values.push(...Object.values(moduleExports));
  return [...new Set(values.filter(isDag))];
}

function isDag(value: unknown): value is DagLike {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DAG_BRAND] === true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function definedAtLine(dag: DagLike): number | null {
  const line = dag.definedAt?.line;
  return typeof line === 'number' && Number.isInteger(line) && line > 0 ? line : null;
}

function notExported(dags: readonly DagLike[]): string {
  const ids = dags.map((candidate) => `"${candidate.dagId}"`).join(', ');
  const first = dags[0]?.dagId ?? 'my_dag';
  return (
    `defines DAG ${ids} with dag(...) but exports no DAG, so the DAG is not loaded; export what dag(...) ` +
    `returns: \`export default myDag;\` or \`export const myDag = dag('${first}', …);\``
  );
}

function namingDag(dagId: string, reason: string): string {
  return reason.includes(`"${dagId}"`) ? reason : `DAG "${dagId}": ${reason}`;
}

/** Keeps only JSON (the form it is stored in) and checks the little the processor relies on. */
function checkSerializedDag(value: unknown, dagId: string, fileloc: string): SerializedDag {
  const json: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
  const record = json as Partial<SerializedDag> | null;
  if (typeof record !== 'object' || record === null || record.dagId !== dagId || !Array.isArray(record.tasks)) {
    throw new Error(
      `serialize() returned ${JSON.stringify(json)?.slice(0, 200)}, not a serialized DAG "${dagId}" with a tasks ` +
        'array; are @tidemark/sdk and the scheduler the same version?',
    );
  }
  return { ...(record as SerializedDag), fileloc };
}
