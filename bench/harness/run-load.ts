import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LoadResult, LoadSpec } from './load-client.ts';

const run = promisify(execFile);
const CLIENT = new URL('./load-client.ts', import.meta.url).pathname;

/** Runs the load client in its own process and returns what it measured; throws when requests failed. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx/esm', CLIENT, JSON.stringify(spec)], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as LoadResult;
  if (result.errors > 0) {
    throw new Error(`${result.errors} of ${result.completed} requests failed; first: ${result.firstError}`);
  }
  return result;
}
