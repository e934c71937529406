import { relative, sep } from 'node:path';

/** A DAG file's `fileloc`: its path relative to the DAGs folder, with forward slashes on every OS. */
export function toFileloc(dagsFolder: string, path: string): string {
  return relative(dagsFolder, path).split(sep).join('/');
}
