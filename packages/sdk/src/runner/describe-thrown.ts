import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK_SOURCE_FOLDER = dirname(dirname(fileURLToPath(import.meta.url))) + sep;
/** The SDK's own modules (not the test fixtures in folders below them). */
const SDK_FRAME = new RegExp(
  `${escapeRegExp(SDK_SOURCE_FOLDER)}(?:(?:dag|context|runner)${escapeRegExp(sep)})?[^${escapeRegExp(sep)}]+:\\d+:\\d+\\)?$`,
);

/**
 * What was thrown, as text for the attempt's log: the stack without the frames of Node, of
 * dependencies (tsx, esbuild) and of the SDK itself, which only bury the author's own lines.
 */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) {
    if (thrown.stack === undefined) return `${thrown.name}: ${thrown.message}`;
    return thrown.stack
      .split('\n')
      .filter((line) => !isNoiseFrame(line))
      .join('\n');
  }
  if (typeof thrown === 'string') return thrown;
  try {
    return `non-error thrown: ${JSON.stringify(thrown)}`;
  } catch {
    return `non-error thrown: ${String(thrown)}`;
  }
}

function isNoiseFrame(line: string): boolean {
  if (!/^\s+at /.test(line)) return false;
  return (
    line.includes(`${sep}node_modules${sep}`) ||
    line.includes('(node:') ||
    /at node:/.test(line) ||
    SDK_FRAME.test(line) ||
    /^\s+at (new Promise|Generator\.next) \(<anonymous>\)$/.test(line)
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
