import { type Compilable, CompiledQuery } from 'kysely';
import type { Db } from '../open-database.ts';
import type { DialectName } from './database-url.ts';
import { runInSqliteTransaction } from './sqlite-connection.ts';

/**
 * Queries of the hot state-write path, built with Kysely once per shape and then run with new
 * parameters (issue 18: building a query cost about as much as running it on SQLite).
 *
 * `build` gets `param(name)`, a placeholder it puts wherever a value goes; the query is compiled
 * once per dialect and shape, the placeholders' positions among the compiled parameters noted, and
 * every later call binds `values` by name into the same SQL text (which SQLite's statement cache
 * then finds without rebuilding). The shape must name everything that changes the SQL text: the
 * table, which columns are filtered, which are `IS NULL`, a lock clause.
 */
export async function runPrepared<Row>(
  db: Db,
  dialect: DialectName,
  shape: string,
  values: Readonly<Record<string, unknown>>,
  build: (db: Db, param: Placeholder) => Compilable<Row>,
): Promise<Row[]> {
  const key = `${dialect}\u0000${shape}`;
  let template = TEMPLATES.get(key);
  if (!template) {
    template = compileTemplate(db, shape, build);
    TEMPLATES.set(key, template);
    if (dialect === 'postgres') nameStatement(template.sql);
  }
  const parameters = template.slots.map((slot) => {
    if (!('name' in slot)) return slot.constant;
    if (!(slot.name in values)) throw new Error(`prepared query "${shape}": no value for parameter "${slot.name}"`);
    return values[slot.name];
  });
  const direct = dialect === 'sqlite' ? runInSqliteTransaction<Row>(db, template.sql, parameters) : undefined;
  if (direct) return direct;
  const result = await db.executeQuery<Row>(CompiledQuery.raw(template.sql, parameters));
  return result.rows as Row[];
}

/** A statement that returns nothing, for `runPreparedInOrder`. */
export interface PreparedStatement {
  readonly shape: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly build: (db: Db, param: Placeholder) => Compilable<unknown>;
}

/**
 * Runs statements that return nothing, in order. On PostgreSQL they go as one statement (all but
 * the last as `WITH` parts, which PostgreSQL runs once each on the statement's snapshot), so they
 * cost one round trip; they must therefore not depend on each other's effects. On SQLite, where a
 * statement costs no round trip, they run one after another.
 */
export async function runPreparedInOrder(
  db: Db,
  dialect: DialectName,
  statements: readonly PreparedStatement[],
): Promise<void> {
  if (dialect === 'sqlite' || statements.length <= 1) {
    for (const statement of statements)
      await runPrepared(db, dialect, statement.shape, statement.values, statement.build);
    return;
  }
  const values: Record<string, unknown> = {};
  for (const [index, statement] of statements.entries()) {
    for (const [name, value] of Object.entries(statement.values)) values[`s${index}_${name}`] = value;
  }
  const shape = statements.map((statement) => statement.shape).join(' ; ');
  await runPrepared(db, dialect, shape, values, (db, param) => {
    const parts = statements.map(
      (statement, index) => (on: Db) => statement.build(on, (name) => param(`s${index}_${name}`)),
    );
    const last = parts.pop() as (on: Db) => Compilable<unknown>;
    let creator = db as unknown as { with(name: string, build: (on: Db) => Compilable<unknown>): typeof creator };
    for (const [index, part] of parts.entries()) creator = creator.with(`statement_${index}`, part);
    return last(creator as unknown as Db);
  });
}

/** Typed `never` so it fits any value position of a Kysely builder. */
export type Placeholder = (name: string) => never;

type Slot = { readonly name: string } | { readonly constant: null };

interface Template {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

const TEMPLATES = new Map<string, Template>();

/** The SQL texts of PostgreSQL templates, and the name each is prepared under on a connection. */
const STATEMENT_NAMES = new Map<string, string>();

function nameStatement(sql: string): void {
  if (!STATEMENT_NAMES.has(sql)) STATEMENT_NAMES.set(sql, `tidemark_prepared_${STATEMENT_NAMES.size + 1}`);
}

/**
 * The name under which a connection prepares this SQL text (postgres-connection.ts), when it is the
 * text of a prepared query: PostgreSQL then parses and plans it once per connection, not per call.
 */
export function preparedStatementName(sql: string): string | undefined {
  return STATEMENT_NAMES.get(sql);
}
const MARK = '\u0000tidemark-parameter:';

function compileTemplate(db: Db, shape: string, build: (db: Db, param: Placeholder) => Compilable<unknown>): Template {
  const names = new Set<string>();
  const param: Placeholder = (name) => {
    names.add(name);
    return `${MARK}${name}` as never;
  };
  const compiled = build(db, param).compile();
  if (compiled.sql.includes(MARK)) {
    throw new Error(`prepared query "${shape}": a placeholder was written into the SQL text instead of bound`);
  }
  const slots = compiled.parameters.map((value): Slot => {
    if (typeof value === 'string' && value.startsWith(MARK)) return { name: value.slice(MARK.length) };
    // Anything else would be frozen into every later call: only a null can be a constant.
    if (value !== null)
      throw new Error(`prepared query "${shape}": the value ${String(value)} is bound without param()`);
    return { constant: null };
  });
  const bound = new Set(slots.flatMap((slot) => ('name' in slot ? [slot.name] : [])));
  const unbound = [...names].filter((name) => !bound.has(name));
  if (unbound.length > 0)
    throw new Error(`prepared query "${shape}": placeholders ${unbound.join(', ')} were not bound`);
  return { sql: compiled.sql, slots };
}
