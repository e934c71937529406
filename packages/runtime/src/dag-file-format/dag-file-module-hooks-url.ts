/**
 * For `node --import`, after the tsx loader: DAG files in a folder without `"type": "module"` load as
 * ES modules (see dag-file-module-hooks.ts).
 */
export const DAG_FILE_MODULE_HOOKS_URL = new URL('./register-dag-file-module-hooks.ts', import.meta.url).href;
