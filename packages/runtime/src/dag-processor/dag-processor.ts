import { resolve } from 'node:path';
import { inWriteTransaction, type MetadataDatabase } from '@tidemark/db';
import { type ParseDagFilesOptions, parseEachDagFile } from './parse-dag-files.ts';
import type { ParsedDagFile } from './parsed-dag-file.ts';
import { scanDagsFolder } from './scan-dags-folder.ts';
import { type DagSyncResult, syncDagsToDatabase } from './sync-dags-to-database.ts';

/** The part of a pino logger the processor uses. */
export interface DagProcessorLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface DagProcessorOptions extends ParseDagFilesOptions {
  /** The folder `runOnce` scans when it is not given one. */
  readonly dagsFolder?: string;
  /** Import errors are logged as warnings, each pass that changed something as info. */
  readonly log?: DagProcessorLogger;
}

export interface DagProcessorRun {
  /** Default: the constructor's `dagsFolder`. */
  readonly dagsFolder?: string;
  readonly now?: number;
  /** Parse every file, changed or not. */
  readonly force?: boolean;
}

export interface DagProcessorSummary extends DagSyncResult {
  /** Files parsed in this pass (new or changed), by fileloc. */
  readonly parsedFiles: string[];
}

interface KnownDagFile {
  readonly mtimeMs: number;
  readonly parsed: ParsedDagFile;
}

/**
 * Keeps the `dag`, `dag_import_error` and active-asset rows in line with the DAGs folder. Each pass
 * parses only the files that are new or changed since the pass before (the first parses them all)
 * and remembers what every file defined, so that a DAG id freed in one file can go to another.
 */
export class DagProcessor {
  readonly #options: DagProcessorOptions;
  #dagsFolder: string | null = null;
  #files = new Map<string, KnownDagFile>();

  constructor(options: DagProcessorOptions = {}) {
    this.#options = options;
  }

  async runOnce(database: MetadataDatabase, run: DagProcessorRun = {}): Promise<DagProcessorSummary> {
    const folder = run.dagsFolder ?? this.#options.dagsFolder;
    if (folder === undefined)
      throw new TypeError('DagProcessor.runOnce needs a dagsFolder, given to it or to the constructor');
    const dagsFolder = resolve(folder);
    if (dagsFolder !== this.#dagsFolder) this.#files = new Map();
    const found = await scanDagsFolder(dagsFolder);
    const toParse = [...found]
      .filter(([fileloc, mtimeMs]) => run.force || this.#files.get(fileloc)?.mtimeMs !== mtimeMs)
      .map(([fileloc]) => fileloc);
    const parsed = toParse.length > 0 ? await parseEachDagFile(toParse, dagsFolder, this.#options) : [];

    const files = new Map<string, KnownDagFile>();
    for (const [fileloc, known] of this.#files) if (found.has(fileloc)) files.set(fileloc, known);
    for (const file of parsed) files.set(file.fileloc, { mtimeMs: found.get(file.fileloc) ?? 0, parsed: file });
    const now = run.now ?? Date.now();
    const result = await inWriteTransaction(database, (trx) =>
      syncDagsToDatabase(
        trx,
        [...files.values()].map((known) => known.parsed),
        new Set(toParse),
        now,
      ),
    );
    // Only once stored: a pass whose transaction failed parses the same files again.
    this.#dagsFolder = dagsFolder;
    this.#files = files;
    const summary = { parsedFiles: toParse, ...result };
    this.#log(summary);
    return summary;
  }

  #log(summary: DagProcessorSummary): void {
    const logger = this.#options.log;
    if (!logger) return;
    for (const error of summary.errors) {
      logger.warn({ fileloc: error.fileloc, line: error.line }, `DAG import error: ${error.message}`);
    }
    const { parsedFiles, dags, deactivatedDags, activatedAssets, deactivatedAssets } = summary;
    if (parsedFiles.length + deactivatedDags.length + activatedAssets.length + deactivatedAssets.length === 0) return;
    logger.info(
      {
        parsed_files: parsedFiles.length,
        dags: dags.length,
        import_errors: summary.errors.length,
        deactivated_dags: deactivatedDags,
        activated_assets: activatedAssets.map((asset) => asset.name),
        deactivated_assets: deactivatedAssets.map((asset) => asset.name),
      },
      'DAG files processed',
    );
  }
}
