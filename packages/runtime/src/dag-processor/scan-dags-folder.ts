import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DagsFolderNotFoundError } from '../errors.ts';
import { toFileloc } from './fileloc.ts';

const DAG_FILE_NAME = /\.(?:ts|mts|js|mjs)$/;
const NOT_A_DAG_FILE_NAME = /\.(?:test|spec)\.(?:ts|mts|js|mjs)$|\.d\.m?ts$/;

/**
 * The DAG files under the folder, recursively: `fileloc` → modification time (ms), ordered by
 * fileloc. Skips `node_modules`, dotfiles and dot-folders, tests and declaration files.
 */
export async function scanDagsFolder(dagsFolder: string): Promise<Map<string, number>> {
  const root = resolve(dagsFolder);
  const rootStats = await stat(root).catch(() => undefined);
  if (!rootStats?.isDirectory()) throw new DagsFolderNotFoundError(root);
  const found = new Map<string, number>();
  await collectDagFiles(root, root, found);
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function isDagFileName(name: string): boolean {
  return DAG_FILE_NAME.test(name) && !NOT_A_DAG_FILE_NAME.test(name);
}

async function collectDagFiles(root: string, folder: string, found: Map<string, number>): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => [] as Dirent[]);
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      await collectDagFiles(root, path, found);
    } else if (isDagFileName(entry.name)) {
      // A symbolic link counts when it leads to a file; a file may also vanish while we look.
      const stats = await stat(path).catch(() => undefined);
      if (stats?.isFile()) found.set(toFileloc(root, path), stats.mtimeMs);
    }
  }
}
