import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DagImportError, SerializedDag } from '@tidemark/core';
import { DAG_FILE_MODULE_HOOKS_URL } from '../dag-file-format/dag-file-module-hooks-url.ts';
import { inheritedConditionArgs } from '../inherited-conditions.ts';
import type { DagFileToParse, ParseRequest, ParserMessage } from './dag-parser-protocol.ts';
import { toFileloc } from './fileloc.ts';
import { failedDagFile, type ParsedDagFile } from './parsed-dag-file.ts';
import { resolveDagOwners } from './resolve-dag-owners.ts';

const PARSER_ENTRY = fileURLToPath(new URL('./dag-parser-child.ts', import.meta.url));
const STDERR_TAIL_CHARS = 2_000;

export interface ParseDagFilesOptions {
  /** How long importing one file may take before the parser process is killed; default 30 s. */
  readonly fileTimeoutMs?: number;
  /** How long the parser process may take to start (load tsx) before it is killed; default 60 s. */
  readonly startupTimeoutMs?: number;
}

export interface ParseDagFilesResult {
  readonly dags: SerializedDag[];
  readonly errors: DagImportError[];
}

/**
 * Imports DAG files (absolute, or relative to the DAGs folder) in a fresh child process and returns
 * their DAGs, with `fileloc` relative to the folder. A file that fails to load, hangs or crashes the
 * parser becomes an import error and the others still load. A DAG id defined by two files belongs
 * to the first by fileloc; the other gets an error.
 */
export async function parseDagFiles(
  files: readonly string[],
  dagsFolder: string,
  options: ParseDagFilesOptions = {},
): Promise<ParseDagFilesResult> {
  const parsed = await parseEachDagFile(files, dagsFolder, options);
  const ownership = resolveDagOwners(parsed, new Map());
  const dags = [...ownership.owners.values()].flatMap((claim) => (claim.found ? [claim.found.dag] : []));
  const errors = [...parsed.flatMap((file) => file.errors), ...ownership.duplicateErrors];
  return { dags, errors: errors.sort(compareFilelocs) };
}

/** What each file produced, ordered by fileloc; duplicates across files are not resolved here. */
export async function parseEachDagFile(
  files: readonly string[],
  dagsFolder: string,
  options: ParseDagFilesOptions = {},
): Promise<ParsedDagFile[]> {
  const folder = resolve(dagsFolder);
  let remaining: DagFileToParse[] = files
    .map((file) => {
      const path = resolve(folder, file);
      return { path, fileloc: toFileloc(folder, path) };
    })
    .sort(compareFilelocs);
  const results: ParsedDagFile[] = [];
  while (remaining.length > 0) {
    const run = await runParserProcess(remaining, options);
    results.push(...run.parsed);
    if (run.stop === null) break;
    const handled = new Set(run.parsed.map((file) => file.fileloc));
    if (run.stop.fileloc !== null) {
      results.push(failedDagFile(run.stop.fileloc, null, run.stop.reason));
      handled.add(run.stop.fileloc);
    } else if (handled.size === 0) {
      // The parser failed before importing anything: another process would fail the same way.
      results.push(...remaining.map((file) => failedDagFile(file.fileloc, null, run.stop?.reason ?? '')));
      break;
    }
    remaining = remaining.filter((file) => !handled.has(file.fileloc));
  }
  return results;
}

function compareFilelocs(a: { readonly fileloc: string }, b: { readonly fileloc: string }): number {
  return a.fileloc < b.fileloc ? -1 : a.fileloc > b.fileloc ? 1 : 0;
}

interface ParserRun {
  readonly parsed: ParsedDagFile[];
  /** Why the process stopped before parsing every file, and the file it was importing; null: it finished. */
  readonly stop: { readonly fileloc: string | null; readonly reason: string } | null;
}

/** One parser process over the files, until it finishes, hangs on a file, or dies. */
function runParserProcess(files: readonly DagFileToParse[], options: ParseDagFilesOptions): Promise<ParserRun> {
  const fileTimeoutMs = options.fileTimeoutMs ?? 30_000;
  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  return new Promise((resolvePromise) => {
    const parsed: ParsedDagFile[] = [];
    let current: string | null = null;
    let stderrTail = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const child = startParserProcess();

    const finish = (reason: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolvePromise({ parsed, stop: reason === null ? null : { fileloc: current, reason } });
    };
    const stopAfter = (ms: number, reason: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(reason), ms);
    };

    stopAfter(startupTimeoutMs, `the DAG parser process did not start within ${startupTimeoutMs} ms`);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('message', (message: ParserMessage) => {
      if (message.type === 'started') {
        current = message.fileloc;
        stopAfter(
          fileTimeoutMs,
          `importing the file did not finish within ${fileTimeoutMs} ms, so the DAG parser process was killed; ` +
            'does the module wait at top level for something that never happens?',
        );
      } else if (message.type === 'parsed') {
        parsed.push(message.file);
        current = null;
      } else if (message.type === 'done') {
        finish(null);
      }
    });
    child.on('error', (error) => finish(`the DAG parser process failed: ${error.message}`));
    // `close`, not `exit`: by then every message and all of stderr have arrived.
    child.on('close', (code, signal) =>
      finish(
        `the DAG parser process exited (${signal ?? `code ${code}`}) while ${current === null ? 'between files' : 'importing the file'}` +
          (stderrTail.trim() ? `: ${stderrTail.trim()}` : ''),
      ),
    );
    const request: ParseRequest = { type: 'parse', files };
    child.send(request, (error) => {
      if (error) finish(`the DAG parser process could not be given its files: ${error.message}`);
    });
  });
}

function startParserProcess(): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...inheritedConditionArgs(),
      '--import',
      import.meta.resolve('tsx'),
      '--import',
      DAG_FILE_MODULE_HOOKS_URL,
      PARSER_ENTRY,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
}
