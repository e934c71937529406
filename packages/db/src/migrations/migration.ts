import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';

/** A numbered migration. Migrations are append-only: a released one is never edited. */
export interface TidemarkMigration {
  /** `NNNN_what_it_does`; the number orders them. */
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations describe tables that the typed schema does not know yet
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

/** The surrogate key: the one column type that differs between the dialects. */
export function addIdColumn<T extends string>(
  // biome-ignore lint/suspicious/noExplicitAny: table builders are untyped inside migrations
  table: CreateTableBuilder<T, any>,
  dialect: DialectName,
  // biome-ignore lint/suspicious/noExplicitAny: see above
): CreateTableBuilder<T, any> {
  return dialect === 'sqlite'
    ? table.addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
    : table.addColumn('id', 'bigint', (column) => column.primaryKey().generatedByDefaultAsIdentity());
}

export const notNull = (column: ColumnDefinitionBuilder) => column.notNull();
