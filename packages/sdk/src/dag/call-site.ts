import { fileURLToPath } from 'node:url';

export interface CallSite {
  readonly file: string;
  readonly line: number;
}

const FRAME_LOCATION = /(?:\(|at )((?:file:\/\/|\/|[A-Za-z]:[\\/])[^()]*?):(\d+):\d+\)?$/;

/**
 * The file and line of the code that called `entry`: the first stack frame below it that names a
 * file (frames of Node's internals, such as `Array.map`, name none). Null when the stack says
 * nothing usable. tsx and vitest map stack lines back to the TypeScript source.
 */
export function captureCallSite(entry: (...args: never[]) => unknown): CallSite | null {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(limit, 20);
  Error.captureStackTrace(holder, entry);
  Error.stackTraceLimit = limit;
  for (const frame of (holder.stack ?? '').split('\n').slice(1)) {
    const match = FRAME_LOCATION.exec(frame.trim());
    if (!match) continue;
    const location = match[1] as string;
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    return { file, line: Number(match[2]) };
  }
  return null;
}
