import { pathToFileURL } from 'node:url';

// esbuild (through tsx) reports a compile error as "Transform failed with 1 error:\n<path>:<line>:<column>: ERROR: <text>".
const COMPILE_ERROR_LINE = /^(.+):(\d+):(\d+): ERROR: (.*)$/gm;

/**
 * The line of `path` an error points at: the compiler's location when the file does not compile,
 * otherwise the first stack frame inside the file; null when neither names the file.
 */
export function errorLineInFile(error: unknown, path: string): number | null {
  const text = errorText(error);
  for (const match of text.message.matchAll(COMPILE_ERROR_LINE)) {
    if (match[1] === path) return Number(match[2]);
  }
  const frame = stackFramePattern(path).exec(text.stack);
  return frame ? Number(frame[1]) : null;
}

/** A one-line reason for an import or definition error, e.g. `Error: duplicate task id "a"`. */
export function describeError(error: unknown): string {
  const text = errorText(error);
  const compileErrors = [...text.message.matchAll(COMPILE_ERROR_LINE)].map((match) => match[4]);
  if (compileErrors.length > 0) return `the file does not compile: ${compileErrors.join('; ')}`;
  if (!(error instanceof Error)) return `threw a value that is not an Error: ${text.message}`;
  return `${error.name}: ${error.message}`;
}

export function isSyntaxError(error: unknown): boolean {
  return error instanceof Error && error.name === 'SyntaxError';
}

function errorText(error: unknown): { message: string; stack: string } {
  if (error instanceof Error) return { message: error.message, stack: error.stack ?? '' };
  try {
    return { message: typeof error === 'string' ? error : JSON.stringify(error), stack: '' };
  } catch {
    return { message: String(error), stack: '' };
  }
}

function stackFramePattern(path: string): RegExp {
  const locations = [path, pathToFileURL(path).href].map(escapeRegExp).join('|');
  return new RegExp(`(?:^|[\\s(])(?:${locations}):(\\d+):\\d+`, 'm');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
