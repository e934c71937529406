import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DagsFolderNotFoundError } from '../errors.ts';
import { isDagFileName, scanDagsFolder } from './scan-dags-folder.ts';
import { TempDagsFolder } from './testing/temp-dags-folder.ts';

describe('scanDagsFolder', () => {
  let folder: TempDagsFolder;
  beforeEach(() => {
    folder = new TempDagsFolder();
  });
  afterEach(() => folder.destroy());

  it('lists TypeScript and JavaScript modules recursively, by fileloc, with their modification times', async () => {
    for (const fileloc of ['b.ts', 'a.mts', 'team/c.js', 'team/deep/d.mjs']) folder.write(fileloc, '');
    folder.touch('b.ts');

    const found = await scanDagsFolder(folder.path);

    expect([...found.keys()]).toEqual(['a.mts', 'b.ts', 'team/c.js', 'team/deep/d.mjs']);
    expect(found.get('b.ts')).toBeGreaterThan(found.get('team/deep/d.mjs') ?? Number.POSITIVE_INFINITY);
  });

  it('skips node_modules, dotfiles, dot-folders, tests, declarations and other files', async () => {
    const skipped = [
      'node_modules/pkg/index.js',
      '.hidden.ts',
      '.cache/x.ts',
      'etl.test.ts',
      'etl.spec.mjs',
      'types.d.ts',
      'readme.md',
      'data.json',
      'old.cjs',
    ];
    for (const fileloc of [...skipped, 'etl.ts']) folder.write(fileloc, '');

    expect([...(await scanDagsFolder(folder.path)).keys()]).toEqual(['etl.ts']);
  });

  it('follows a symbolic link to a file and ignores a broken one', async () => {
    const elsewhere = join(folder.path, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'real.txt'), '');
    symlinkSync(join(elsewhere, 'real.txt'), join(folder.path, 'linked.ts'));
    symlinkSync(join(folder.path, 'missing.ts'), join(folder.path, 'broken.ts'));

    expect([...(await scanDagsFolder(folder.path)).keys()]).toEqual(['linked.ts']);
  });

  it('refuses a folder that does not exist, with a stable code', async () => {
    const missing = join(folder.path, 'nope');

    await expect(scanDagsFolder(missing)).rejects.toBeInstanceOf(DagsFolderNotFoundError);
    await expect(scanDagsFolder(missing)).rejects.toMatchObject({ code: 'dags_folder_not_found' });
  });

  it('tells DAG file names from others', () => {
    expect(['x.ts', 'x.mts', 'x.js', 'x.mjs'].every(isDagFileName)).toBe(true);
    expect(['x.d.ts', 'x.test.ts', 'x.cjs', 'x.tsx', 'x.ts.bak'].some(isDagFileName)).toBe(false);
  });
});
