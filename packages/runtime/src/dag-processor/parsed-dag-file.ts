import type { DagImportError, SerializedDag } from '@tidemark/core';

/** A DAG a file exports, serialized, with the line that defined it. */
export interface FoundDag {
  readonly dag: SerializedDag;
  readonly line: number | null;
}

/** What importing one DAG file produced. */
export interface ParsedDagFile {
  readonly fileloc: string;
  readonly dags: readonly FoundDag[];
  readonly errors: readonly DagImportError[];
  /**
   * The module could not be imported (syntax error, it threw, hung or crashed the parser), so which
   * DAGs it defines is unknown: the ones it defined before stay as they were.
   */
  readonly importFailed: boolean;
  /** DAGs the module exports whose definition is invalid (`serialize` threw): they keep their last good version. */
  readonly brokenDagIds: readonly string[];
}

/** A file that could not be imported at all. */
export function failedDagFile(fileloc: string, line: number | null, message: string): ParsedDagFile {
  return { fileloc, dags: [], errors: [{ fileloc, line, message }], importFailed: true, brokenDagIds: [] };
}
