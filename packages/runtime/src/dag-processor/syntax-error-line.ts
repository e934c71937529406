import { spawnSync } from 'node:child_process';

const CHECKABLE = /\.m?js$/;

/**
 * Node does not say where a JavaScript ES module fails to parse when it is imported; `node --check`
 * does, on its first line of output ("<path>:<line>"). Null for TypeScript (the compiler already
 * gave the line) and when the error lies in a module the file imports.
 */
export function syntaxErrorLine(path: string): number | null {
  if (!CHECKABLE.test(path)) return null;
  const check = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  if (check.status === 0) return null;
  const firstLine = (check.stderr ?? '').split('\n', 1)[0] ?? '';
  const prefix = `${path}:`;
  if (!firstLine.startsWith(prefix)) return null;
  const line = Number(firstLine.slice(prefix.length));
  return Number.isInteger(line) && line > 0 ? line : null;
}
