import { parseStoredDag, type SerializedDag } from '@tidemark/core';
import { type SqlBool, sql } from 'kysely';
import type { Db } from '../open-database.ts';

/** Read models of DAGs and DAG import errors for the public API: filtered, ordered, paginated. */

export interface DagRecord {
  readonly dagId: string;
  readonly fileloc: string;
  readonly description: string | null;
  readonly schedule: string | null;
  readonly isPaused: boolean;
  readonly isActive: boolean;
  readonly lastParsedAt: number | null;
  readonly nextRunAt: number | null;
  /** null: registered but never parsed. */
  readonly serialized: SerializedDag | null;
}

export type DagSortColumn = 'dag_id' | 'fileloc' | 'is_paused' | 'last_parsed_at' | 'next_run_at';

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

export interface SortOrder<Column extends string> {
  readonly column: Column;
  readonly descending: boolean;
}

export interface DagListFilter extends Page {
  readonly order?: SortOrder<DagSortColumn>;
  /** Only paused (true) or unpaused (false) DAGs; both when undefined. */
  readonly paused?: boolean;
  readonly onlyActive?: boolean;
  /** Case-insensitive substring of the DAG id; `%` and `_` match themselves. */
  readonly dagIdPattern?: string;
}

export interface PageOf<T> {
  readonly items: T[];
  /** Matching rows without limit/offset. */
  readonly totalEntries: number;
}

/** DAGs matching the filter, ordered (ties by DAG id; nulls last), one page of them. */
export async function listDags(db: Db, filter: DagListFilter): Promise<PageOf<DagRecord>> {
  let query = db.selectFrom('dag');
  if (filter.onlyActive) query = query.where('is_active', '=', 1);
  if (filter.paused !== undefined) query = query.where('is_paused', '=', filter.paused ? 1 : 0);
  if (filter.dagIdPattern) query = query.where(containsIgnoringCase('dag.dag_id', filter.dagIdPattern));

  const counted = await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  const order = filter.order ?? { column: 'dag_id', descending: false };
  const direction = order.descending ? 'desc' : 'asc';
  const rows = await query
    .selectAll()
    .orderBy(sql`${sql.ref(`dag.${order.column}`)} is null`)
    .orderBy(`dag.${order.column}`, direction)
    .orderBy('dag.dag_id', direction)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { items: rows.map(toDagRecord), totalEntries: Number(counted.count) };
}

/** One DAG, active or not; undefined when it is unknown. */
export async function findDag(db: Db, dagId: string): Promise<DagRecord | undefined> {
  const row = await db.selectFrom('dag').selectAll().where('dag_id', '=', dagId).executeTakeFirst();
  return row ? toDagRecord(row) : undefined;
}

export interface ImportErrorRecord {
  readonly id: number;
  readonly fileloc: string;
  readonly line: number | null;
  readonly message: string;
  readonly createdAt: number;
}

/** DAG import errors by file, then in the order they were recorded; one page of them. */
export async function listImportErrorPage(db: Db, page: Page): Promise<PageOf<ImportErrorRecord>> {
  const counted = await db
    .selectFrom('dag_import_error')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('dag_import_error')
    .selectAll()
    .orderBy('fileloc')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    items: rows.map((row) => ({
      id: row.id,
      fileloc: row.fileloc,
      line: row.line,
      message: row.message,
      createdAt: row.created_at,
    })),
    totalEntries: Number(counted.count),
  };
}

/**
 * `lower(column) like '%text%'` with `\` escaping `%`, `_` and `\` in the text: a literal,
 * case-insensitive substring match that behaves the same on SQLite and PostgreSQL.
 */
export function containsIgnoringCase(column: string, text: string) {
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`);
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${`%${escaped}%`} escape '\\'`;
}

interface DagRow {
  readonly dag_id: string;
  readonly fileloc: string;
  readonly description: string | null;
  readonly schedule: string | null;
  readonly is_paused: number;
  readonly is_active: number;
  readonly last_parsed_at: number | null;
  readonly next_run_at: number | null;
  readonly serialized: string | null;
}

function toDagRecord(row: DagRow): DagRecord {
  return {
    dagId: row.dag_id,
    fileloc: row.fileloc,
    description: row.description,
    schedule: row.schedule,
    isPaused: Number(row.is_paused) === 1,
    isActive: Number(row.is_active) === 1,
    lastParsedAt: row.last_parsed_at,
    nextRunAt: row.next_run_at,
    serialized: row.serialized ? parseStoredDag(row.serialized, row.dag_id) : null,
  };
}
