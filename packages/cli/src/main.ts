import { isTidemarkError } from '@tidemark/core';
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';

/** Runs the CLI; returns the exit code. A user's mistake prints one line, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    // A command that printed its result but must still fail (db status on a newer schema) sets it.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isTidemarkError(error)) {
      process.stderr.write(`tidemark: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`tidemark: unexpected error (please report it): ${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}
