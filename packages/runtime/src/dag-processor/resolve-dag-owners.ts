import type { DagImportError } from '@tidemark/core';
import type { FoundDag, ParsedDagFile } from './parsed-dag-file.ts';

/** A file's claim to define a DAG id. */
export interface DagClaim {
  readonly dagId: string;
  readonly fileloc: string;
  /** Null when the file failed to load this time and the DAG keeps the version stored before. */
  readonly found: FoundDag | null;
}

export interface DagOwnership {
  /** DAG id → the one file that defines it. */
  readonly owners: Map<string, DagClaim>;
  /** For every other definition of an owned DAG id. */
  readonly duplicateErrors: DagImportError[];
}

/**
 * DAG ids are unique across the DAGs folder. When several files define one, it stays with the file
 * that defined it before (`previousOwners`: DAG id → fileloc), else goes to the first by fileloc;
 * the other definitions become import errors. A file that failed to load keeps the DAGs it defined
 * before, and so does a DAG whose definition is broken now.
 */
export function resolveDagOwners(
  files: readonly ParsedDagFile[],
  previousOwners: ReadonlyMap<string, string>,
): DagOwnership {
  const claims = new Map<string, DagClaim[]>();
  for (const claim of sortByFileloc(files).flatMap((file) => claimsOf(file, previousOwners))) {
    claims.set(claim.dagId, [...(claims.get(claim.dagId) ?? []), claim]);
  }
  const owners = new Map<string, DagClaim>();
  const duplicateErrors: DagImportError[] = [];
  for (const [dagId, rivals] of claims) {
    const owner = rivals.find((claim) => claim.fileloc === previousOwners.get(dagId)) ?? (rivals[0] as DagClaim);
    owners.set(dagId, owner);
    for (const rival of rivals) {
      if (rival !== owner && rival.found) duplicateErrors.push(duplicateError(rival, owner));
    }
  }
  return { owners, duplicateErrors };
}

function claimsOf(file: ParsedDagFile, previousOwners: ReadonlyMap<string, string>): DagClaim[] {
  const fresh = file.dags.map((found) => ({ dagId: found.dag.dagId, fileloc: file.fileloc, found }));
  const keptIds = file.importFailed
    ? [...previousOwners].filter(([, fileloc]) => fileloc === file.fileloc).map(([dagId]) => dagId)
    : file.brokenDagIds.filter((dagId) => previousOwners.get(dagId) === file.fileloc);
  const kept = keptIds.map((dagId) => ({ dagId, fileloc: file.fileloc, found: null }));
  return [...fresh, ...kept];
}

function duplicateError(rival: DagClaim, owner: DagClaim): DagImportError {
  const where = rival.fileloc === owner.fileloc ? 'earlier in this file' : `in ${owner.fileloc}`;
  return {
    fileloc: rival.fileloc,
    line: rival.found?.line ?? null,
    message: `DAG id "${rival.dagId}" is already defined ${where}; DAG ids must be unique across the DAGs folder, so this definition is ignored`,
  };
}

function sortByFileloc(files: readonly ParsedDagFile[]): ParsedDagFile[] {
  return [...files].sort((a, b) => (a.fileloc < b.fileloc ? -1 : a.fileloc > b.fileloc ? 1 : 0));
}
