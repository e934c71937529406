import { Command, CommanderError, InvalidArgumentError } from 'commander';

/**
 * Commander plumbing shared by the API commands (`login`, `dags`, `runs`, `tasks`, `assets`):
 * usage errors are one `tidemark: …` line with exit code 2; an API failure is exit code 1 (main.ts).
 */
export const USAGE_EXIT_CODE = 2;

/** A command group whose subcommands (made with `.command()`) inherit the usage-error handling. */
export function apiCommandGroup(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .configureOutput({
      outputError: (text, write) => write(`tidemark: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride((error) => {
      // Commander exits 1 on a usage error (unknown option, missing argument, bad value): make it 2.
      throw error.exitCode === 1 ? new CommanderError(USAGE_EXIT_CODE, error.code, error.message) : error;
    });
}

/** The `--api-url` option every API command has. */
export function withApiUrl(command: Command): Command {
  return command.option(
    '--api-url <url>',
    'the api-server, e.g. http://127.0.0.1:8080 (default: TIDEMARK_API_URL, else api.host and api.port of the config)',
  );
}

/** Stops the command with one `tidemark: …` line and exit code 2. */
export function usageError(command: Command, message: string): never {
  command.error(message, { exitCode: USAGE_EXIT_CODE, code: 'tidemark.usage' });
  throw new Error('unreachable'); // command.error never returns; this satisfies `never`
}

/** An option parser for whole numbers from `min` up. */
export function wholeNumber(min: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    }
    return Number(value);
  };
}

/** `--conf`: a JSON object, or why not (for `usageError`). */
export function parseConf(text: string): { conf: Record<string, unknown> } | { problem: string } {
  const parsed = parseJsonObject('--conf', text);
  return 'problem' in parsed ? parsed : { conf: parsed.object };
}

/** An option holding a JSON object (`--conf`, `--extra`), or why not (for `usageError`). */
export function parseJsonObject(flag: string, text: string): { object: Record<string, unknown> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `${flag} is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { problem: `${flag} must be a JSON object such as '{"key": "value"}', not ${kind}` };
  }
  return { object: value as Record<string, unknown> };
}
