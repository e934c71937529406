import type { DagImportError } from '@tidemark/core';
import type { Db } from '../open-database.ts';

/** A DAG file's import error as stored, with when it was recorded. */
export interface StoredDagImportError extends DagImportError {
  readonly id: number;
  readonly createdAt: number;
}

export type ImportErrorDetail = Pick<DagImportError, 'line' | 'message'>;

/** The file was parsed again: its previous errors go, these (possibly none) take their place. */
export async function replaceImportErrors(
  db: Db,
  fileloc: string,
  errors: readonly ImportErrorDetail[],
  now = Date.now(),
): Promise<void> {
  await db.deleteFrom('dag_import_error').where('fileloc', '=', fileloc).execute();
  if (errors.length === 0) return;
  await db
    .insertInto('dag_import_error')
    .values(errors.map((error) => ({ fileloc, line: error.line, message: error.message, created_at: now })))
    .execute();
}

/** Import errors, by file and then in the order they were recorded; all files unless one is named. */
export async function listImportErrors(db: Db, fileloc?: string): Promise<StoredDagImportError[]> {
  let query = db.selectFrom('dag_import_error').selectAll().orderBy('fileloc').orderBy('id');
  if (fileloc !== undefined) query = query.where('fileloc', '=', fileloc);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    fileloc: row.fileloc,
    line: row.line,
    message: row.message,
    createdAt: row.created_at,
  }));
}
