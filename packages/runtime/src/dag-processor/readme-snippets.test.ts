import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDeclaredAssets } from './declared-assets.ts';
import { loadDagFile } from './load-dag-file.ts';
import type { ParsedDagFile } from './parsed-dag-file.ts';
import { resolveDagOwners } from './resolve-dag-owners.ts';
import { sdkDagsFolder } from './testing/sdk-dags-folder.ts';
import type { TempDagsFolder } from './testing/temp-dags-folder.ts';

const README = fileURLToPath(new URL('../../../../README.md', import.meta.url));

interface Snippet {
  /** The README line of the opening fence. */
  readonly line: number;
  readonly info: string;
  readonly source: string;
}

/** The fenced ```ts blocks of the README; the info string `ts fragment` marks a piece that is not a DAG file. */
function typeScriptBlocks(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const blocks: Snippet[] = [];
  let open: { line: number; info: string; body: string[] } | null = null;
  lines.forEach((text, index) => {
    const fence = /^\s*```(.*)$/.exec(text);
    if (!fence) {
      open?.body.push(text);
      return;
    }
    if (open) {
      if (/^(ts|typescript)\b/.test(open.info))
        blocks.push({ line: open.line, info: open.info, source: `${open.body.join('\n')}\n` });
      open = null;
    } else {
      open = { line: index + 1, info: (fence[1] ?? '').trim(), body: [] };
    }
  });
  return blocks;
}

const snippets = typeScriptBlocks(readFileSync(README, 'utf8'));
const dagFiles = snippets.filter((snippet) => snippet.info !== 'ts fragment');

// Every ```ts block of the README is a DAG file a reader can paste next to the others, unless it is
// marked ```ts fragment. They are loaded the way the DAG processor's parser process loads files.
describe('README TypeScript snippets', () => {
  let folder: TempDagsFolder;
  const parsed = new Map<number, ParsedDagFile>();
  beforeAll(async () => {
    folder = sdkDagsFolder();
    for (const snippet of dagFiles) {
      const fileloc = `readme-line-${snippet.line}.ts`;
      parsed.set(snippet.line, await loadDagFile(folder.write(fileloc, snippet.source), fileloc));
    }
  });
  afterAll(() => folder.destroy());

  it('has DAG-file snippets, and marks the others ```ts fragment', () => {
    expect(dagFiles.length).toBeGreaterThan(3);
    expect(snippets.every((snippet) => snippet.info === 'ts' || snippet.info === 'ts fragment')).toBe(true);
  });

  it.each(dagFiles.map((snippet) => [snippet.line]))(
    'the snippet at README line %i loads a DAG with no import error',
    (line) => {
      const file = parsed.get(line) as ParsedDagFile;
      expect(file.errors).toEqual([]);
      expect(file.dags.length).toBeGreaterThan(0);
    },
  );

  it('the snippets side by side define each DAG id once and each asset with one uri', () => {
    const files = [...parsed.values()];
    expect(resolveDagOwners(files, new Map()).duplicateErrors).toEqual([]);
    const dags = files.flatMap((file) => file.dags.map((found) => found.dag));
    expect(resolveDeclaredAssets(dags, []).conflictErrors).toEqual([]);
  });

  it('links only to files the repository has', () => {
    const root = dirname(README);
    const targets = [...readFileSync(README, 'utf8').matchAll(/\]\(([^)#\s]+)[^)]*\)/g)]
      .map((match) => match[1] as string)
      .filter((target) => !/^[a-z]+:/.test(target));
    expect(targets.length).toBeGreaterThan(0);
    const outside = targets.filter((target) => relative(root, resolve(root, target)).startsWith('..'));
    const missing = targets.filter((target) => !existsSync(resolve(root, target)));
    expect({ outside, missing }).toEqual({ outside: [], missing: [] });
  });
});
