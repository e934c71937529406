import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The real `tidemark` binary, for tests that run it as a subprocess. */
export const TIDEMARK_BIN = join(import.meta.dirname, '..', '..', 'bin', 'tidemark.mjs');

/**
 * Set by the test setup once it has built the packages' JavaScript in place (buildPackagesInPlace
 * in scripts/pack-packages.mjs): the `tidemark` processes tests start then run it, not the
 * TypeScript sources through tsx, which cost each start about a second more.
 */
export const BUILT_PACKAGES_ENV = 'TIDEMARK_TEST_PACKAGES_BUILT';

/** Node's arguments to run `tidemark <args>`: this repository's binary, on the built packages when the test setup built them. */
export function tidemarkNodeArgs(args: readonly string[]): string[] {
  const conditions = process.env[BUILT_PACKAGES_ENV] === '1' ? ['--conditions=tidemark-built'] : [];
  return [...conditions, TIDEMARK_BIN, ...args];
}

const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tidemark <args>` with only PATH and `env` set; resolves with its exit code and output. */
export async function runTidemark(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, tidemarkNodeArgs(args), {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
