import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * One log file per attempt:
 * `<logsFolder>/dag_id=<d>/run_id=<r>/task_id=<t>/map_index=<m>/attempt=<n>.log`, each path segment
 * URI-encoded, so ids with `/`, `..` or spaces stay inside their folder. One line per entry:
 * `<ISO time> <LEVEL> [<source>] <message>`, with line breaks inside a message written as `\n`.
 */
export interface AttemptLogAddress {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly tryNumber: number;
}

export interface AttemptLogEntry {
  /** Epoch ms. */
  readonly ts: number;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** `task`, `stdout`, `stderr`, `supervisor` from workers; `server` for the api-server's own lines. */
  readonly source: string;
  readonly message: string;
}

export interface AttemptLogChunk {
  readonly text: string;
  /** Byte offset to read on from. */
  readonly nextOffset: number;
  /** True when the chunk reaches the end of the file as it was. */
  readonly complete: boolean;
}

const DEFAULT_READ_BYTES = 1_048_576;
const CONTINUATION = '    ';

export function attemptLogPath(logsFolder: string, attempt: AttemptLogAddress): string {
  return join(
    logsFolder,
    segment('dag_id', attempt.dagId),
    segment('run_id', attempt.runId),
    segment('task_id', attempt.taskId),
    segment('map_index', String(attempt.mapIndex)),
    `${segment('attempt', String(attempt.tryNumber))}.log`,
  );
}

/**
 * One entry: `<ISO time> <LEVEL> [<source>] <message>`. A message of several lines (a stack trace)
 * continues on lines indented by 4 spaces, so no line of it can pass for an entry of its own.
 */
export function formatLogEntry(entry: AttemptLogEntry): string {
  const time = Number.isFinite(entry.ts) && Math.abs(entry.ts) <= 8.64e15 ? entry.ts : Date.now();
  const message = entry.message
    .replaceAll('\r\n', '\n')
    .replaceAll('\r', '\\r')
    .trimEnd()
    .replaceAll('\n', `\n${CONTINUATION}`);
  return `${new Date(time).toISOString()} ${entry.level.toUpperCase()} [${entry.source}] ${message}\n`;
}

/**
 * Appends entries to the attempt's log, creating its folders when the append finds them missing:
 * an attempt's later batches (most of them) cost one append, not a recursive mkdir besides.
 */
export async function appendAttemptLog(
  logsFolder: string,
  attempt: AttemptLogAddress,
  entries: readonly AttemptLogEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const path = attemptLogPath(logsFolder, attempt);
  const text = entries.map(formatLogEntry).join('');
  try {
    await appendFile(path, text, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, text, 'utf8');
  }
}

/**
 * Reads an attempt's log from byte `offset`, at most `maxBytes` (whole lines only, unless one line
 * is longer than that); undefined when the attempt has no log.
 */
export async function readAttemptLog(
  logsFolder: string,
  attempt: AttemptLogAddress,
  options: { readonly offset?: number; readonly maxBytes?: number } = {},
): Promise<AttemptLogChunk | undefined> {
  const offset = Math.max(0, options.offset ?? 0);
  const maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_READ_BYTES);
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(attemptLogPath(logsFolder, attempt), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await file.stat();
    const length = Math.max(0, Math.min(maxBytes, size - offset));
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, offset);
    let used = bytesRead;
    if (offset + bytesRead < size) {
      const lastNewline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (lastNewline >= 0) used = lastNewline + 1;
    }
    return {
      text: buffer.subarray(0, used).toString('utf8'),
      nextOffset: offset + used,
      complete: offset + used >= size,
    };
  } finally {
    await file.close();
  }
}

function segment(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}`;
}
