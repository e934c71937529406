import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commonJsDagFileReason } from './commonjs-dag-file.ts';
import { packageModuleType } from './package-module-type.ts';

describe('packageModuleType and commonJsDagFileReason', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tidemark-package-type-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(path: string, text: string): string {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
    return full;
  }

  it('reads the nearest package.json, as Node does: a nested one without "type" wins over a typed parent', () => {
    write('package.json', '{ "type": "module" }');
    write('legacy/package.json', '{ "name": "legacy" }');
    expect(packageModuleType(write('a/dag.ts', ''))).toEqual({
      packageJsonPath: join(root, 'package.json'),
      type: 'module',
    });
    expect(packageModuleType(write('legacy/dag.ts', ''))).toEqual({
      packageJsonPath: join(root, 'legacy', 'package.json'),
      type: null,
    });
  });

  it('treats an unreadable package.json like one without "type"', () => {
    write('package.json', '{ not json');
    expect(packageModuleType(write('dag.ts', '')).type).toBeNull();
  });

  it('refuses .ts and .js DAG files under "type": "commonjs", but not .mts or .mjs', () => {
    write('package.json', '{ "type": "commonjs" }');
    expect(commonJsDagFileReason(write('dag.ts', ''))).toMatch(/says "type": "commonjs"/);
    expect(commonJsDagFileReason(write('dag.js', ''))).toMatch(/rename the file to \.mts/);
    expect(commonJsDagFileReason(write('dag.mts', ''))).toBeNull();
    expect(commonJsDagFileReason(write('dag.mjs', ''))).toBeNull();
  });
});
