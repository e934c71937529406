import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the nearest `package.json` above a file says about how Node loads its `.js`/`.ts` files. */
export interface PackageModuleType {
  /** The nearest `package.json`, or null when no folder above the file has one. */
  readonly packageJsonPath: string | null;
  /** Its `"type"` field: `module`, `commonjs`, or null when absent (Node then loads CommonJS). */
  readonly type: 'module' | 'commonjs' | null;
}

/** Finds the nearest `package.json` above `filePath` and reads its `"type"`, as Node does. */
export function packageModuleType(filePath: string): PackageModuleType {
  let folder = dirname(filePath);
  for (;;) {
    const packageJsonPath = join(folder, 'package.json');
    const text = readIfPresent(packageJsonPath);
    if (text !== undefined) return { packageJsonPath, type: typeField(text) };
    const parent = dirname(folder);
    if (parent === folder) return { packageJsonPath: null, type: null };
    folder = parent;
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function typeField(text: string): PackageModuleType['type'] {
  try {
    const type = (JSON.parse(text) as { type?: unknown } | null)?.type;
    return type === 'module' || type === 'commonjs' ? type : null;
  } catch {
    return null;
  }
}
