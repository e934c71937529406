import type { ParsedDagFile } from './parsed-dag-file.ts';

/** Messages between the DAG processor and its parser process, over the IPC channel. */
export interface DagFileToParse {
  readonly path: string;
  readonly fileloc: string;
}

export interface ParseRequest {
  readonly type: 'parse';
  readonly files: readonly DagFileToParse[];
}

export type ParserMessage =
  | { readonly type: 'started'; readonly fileloc: string }
  | { readonly type: 'parsed'; readonly file: ParsedDagFile }
  | { readonly type: 'done' };
