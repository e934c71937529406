import type { SerializedDag } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import type { ParsedDagFile } from './parsed-dag-file.ts';
import { resolveDagOwners } from './resolve-dag-owners.ts';

function file(fileloc: string, dagIds: string[], more: Partial<ParsedDagFile> = {}): ParsedDagFile {
  const dags = dagIds.map((dagId, index) => ({ dag: { dagId, fileloc } as SerializedDag, line: index + 1 }));
  return { fileloc, dags, errors: [], importFailed: false, brokenDagIds: [], ...more };
}

function owners(files: ParsedDagFile[], previous: Record<string, string> = {}) {
  const ownership = resolveDagOwners(files, new Map(Object.entries(previous)));
  return {
    owners: Object.fromEntries([...ownership.owners].map(([dagId, claim]) => [dagId, claim.fileloc])),
    fresh: [...ownership.owners.values()].filter((claim) => claim.found).map((claim) => claim.dagId),
    errors: ownership.duplicateErrors.map((error) => `${error.fileloc}:${error.line} ${error.message}`),
  };
}

describe('resolveDagOwners', () => {
  it('gives each DAG to its file', () => {
    expect(owners([file('b.ts', ['y']), file('a.ts', ['x'])]).owners).toEqual({ x: 'a.ts', y: 'b.ts' });
  });

  it('gives a DAG id defined twice to the first file by fileloc and reports the other', () => {
    const result = owners([file('b.ts', ['etl']), file('a.ts', ['etl'])]);

    expect(result.owners).toEqual({ etl: 'a.ts' });
    expect(result.errors).toEqual([
      'b.ts:1 DAG id "etl" is already defined in a.ts; DAG ids must be unique across the DAGs folder, so this definition is ignored',
    ]);
  });

  it('leaves a DAG id with the file that defined it before, even when a file earlier by name defines it too', () => {
    const result = owners([file('a.ts', ['etl']), file('b.ts', ['etl'])], { etl: 'b.ts' });

    expect(result.owners).toEqual({ etl: 'b.ts' });
    expect(result.errors).toEqual([expect.stringMatching(/^a\.ts:1 .*already defined in b\.ts/)]);
  });

  it('reports a DAG id defined twice in one file', () => {
    expect(owners([file('a.ts', ['etl', 'etl'])]).errors).toEqual([
      expect.stringMatching(/^a\.ts:2 DAG id "etl" is already defined earlier in this file/),
    ]);
  });

  it('keeps the DAGs a file defined before while the file fails to load', () => {
    const failed = file('a.ts', [], { importFailed: true });
    const result = owners([failed, file('b.ts', ['etl'])], { old: 'a.ts', etl: 'a.ts', other: 'c.ts' });

    expect(result.owners).toEqual({ old: 'a.ts', etl: 'a.ts' });
    expect(result.fresh).toEqual([]);
    expect(result.errors).toEqual([expect.stringMatching(/^b\.ts:1 .*"etl" is already defined in a\.ts/)]);
  });

  it('keeps a DAG whose definition broke, but only if the file defined it before', () => {
    const result = owners([file('a.ts', ['ok'], { brokenDagIds: ['was-fine', 'never-fine'] })], { 'was-fine': 'a.ts' });

    expect(result.owners).toEqual({ ok: 'a.ts', 'was-fine': 'a.ts' });
    expect(result.fresh).toEqual(['ok']);
  });
});
