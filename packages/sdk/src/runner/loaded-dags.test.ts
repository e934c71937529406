import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dag } from '../dag/dag.ts';
import { loadDagOfCurrentFile } from './loaded-dags.ts';

describe('loadDagOfCurrentFile (watcher polls and deferral checks)', () => {
  let folder: string;
  let dagFile: string;
  let imports: (string | undefined)[];
  const countingLoader = async (_file: string, dagId: string, version: string | undefined) => {
    imports.push(version);
    return dag(dagId, { schedule: null });
  };

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tidemark-loaded-dags-'));
    dagFile = join(folder, 'watched.ts');
    await writeFile(dagFile, 'export {};\n');
    imports = [];
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('imports an unchanged file once, however many polls ask for it', async () => {
    const first = await loadDagOfCurrentFile(dagFile, 'watched', countingLoader);
    for (let poll = 0; poll < 5; poll++) {
      expect(await loadDagOfCurrentFile(dagFile, 'watched', countingLoader)).toBe(first);
    }
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatch(/^\d/);
  });

  it('imports the file again, under its new version, once it changed', async () => {
    await loadDagOfCurrentFile(dagFile, 'watched', countingLoader);
    await utimes(dagFile, new Date(), new Date(Date.now() + 60_000));
    await loadDagOfCurrentFile(dagFile, 'watched', countingLoader);
    await loadDagOfCurrentFile(dagFile, 'watched', countingLoader);
    expect(imports).toHaveLength(2);
    expect(imports[1]).not.toBe(imports[0]);
  });

  it('tries a file that failed to load again at the next poll', async () => {
    const failOnce = async (file: string, dagId: string, version: string | undefined) => {
      if (imports.length === 0) {
        imports.push(version);
        throw new Error('syntax error in the DAG file');
      }
      return countingLoader(file, dagId, version);
    };
    await expect(loadDagOfCurrentFile(dagFile, 'watched', failOnce)).rejects.toThrow('syntax error');
    await loadDagOfCurrentFile(dagFile, 'watched', failOnce);
    expect(imports).toHaveLength(2);
  });

  it('keeps each DAG of one file apart', async () => {
    const a = await loadDagOfCurrentFile(dagFile, 'a', countingLoader);
    const b = await loadDagOfCurrentFile(dagFile, 'b', countingLoader);
    expect(a.dagId).toBe('a');
    expect(b.dagId).toBe('b');
    expect(imports).toHaveLength(2);
  });
});
