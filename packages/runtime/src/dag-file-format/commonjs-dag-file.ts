import { packageModuleType } from './package-module-type.ts';

/**
 * Why a DAG file cannot run, when its package.json says `"type": "commonjs"`: Node would load it
 * as CommonJS, which task processes cannot run (@tidemark/sdk is an ES module). Null when it can.
 * `.mts`/`.mjs` files are ES modules whatever the package says.
 */
export function commonJsDagFileReason(dagFilePath: string): string | null {
  if (!/\.(?:ts|js)$/.test(dagFilePath)) return null;
  const { packageJsonPath, type } = packageModuleType(dagFilePath);
  if (type !== 'commonjs') return null;
  return (
    `${packageJsonPath} says "type": "commonjs", so Node would load this DAG file as CommonJS, which Tidemark ` +
    'cannot run: DAG files are ES modules. Set "type": "module" in that package.json (or remove the field), ' +
    'or rename the file to .mts (.mjs for JavaScript)'
  );
}
