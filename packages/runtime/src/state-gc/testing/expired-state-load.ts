import { type StateBackend, taskScope } from '@tidemark/core';
import { createDagRun, type MetadataDatabase } from '@tidemark/db';
import { sql } from 'kysely';

/**
 * Load for the garbage-collection tests and bench: many expired task-state rows inserted in one
 * statement, and writers that keep writing fresh keys while a pass runs.
 */

export interface GcRun {
  readonly dagRunId: number;
  readonly dagId: string;
  readonly runId: string;
}

export async function seedGcRun(database: MetadataDatabase, runId = 'gc_load'): Promise<GcRun> {
  const dagId = 'state_gc_load';
  await database.db
    .insertInto('dag')
    .values({ dag_id: dagId, fileloc: '', is_active: 1, created_at: 0, updated_at: 0 })
    .onConflict((conflict) => conflict.column('dag_id').doNothing())
    .execute();
  const dagRunId = await createDagRun(database.db, { dagId, runId });
  // Finished, so that a scheduler running beside the load has nothing to schedule in it.
  await database.db.updateTable('dag_run').set({ state: 'success' }).where('id', '=', dagRunId).execute();
  return { dagRunId, dagId, runId };
}

/** `count` rows of task `expired` (map indices 0…count-1, key `k`), all expired at `expiresAt`. */
export async function insertExpiredTaskState(
  database: MetadataDatabase,
  run: GcRun,
  options: { readonly count: number; readonly expiresAt: number; readonly taskId?: string },
): Promise<void> {
  const taskId = options.taskId ?? 'expired';
  const numbers =
    database.dialect === 'postgres'
      ? sql`select i from generate_series(0, ${options.count - 1}) as series(i)`
      : sql`select i from (with recursive series(i) as (select 0 union all select i + 1 from series where i < ${options.count - 1}) select i from series)`;
  await sql`insert into task_state (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at, expires_at)
    select ${run.dagRunId}, ${run.dagId}, ${run.runId}, ${taskId}, numbers.i, 'k', '{"done":true}', 1, 0, ${options.expiresAt}
    from (${numbers}) numbers`.execute(database.db);
}

export async function countTaskState(database: MetadataDatabase, run: GcRun, taskId: string): Promise<number> {
  const row = await database.db
    .selectFrom('task_state')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('dag_run_id', '=', run.dagRunId)
    .where('task_id', '=', taskId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface WriterLoad {
  /** Milliseconds per write, of every writer. */
  readonly latencies: number[];
  /** Writes each writer completed; writer i wrote keys `w0` … `w{n-1}` of task `writer-i`. */
  readonly writes: number[];
}

/**
 * `writers` concurrent writers, each setting a fresh never-expiring key of its own task instance in
 * a loop (through the backend: one transaction with history each), until `until` settles.
 */
export async function writeUntil(
  backend: StateBackend,
  run: GcRun,
  options: { readonly writers: number; readonly until: Promise<unknown>; readonly minWrites?: number },
): Promise<WriterLoad> {
  let done = false;
  void options.until.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  const latencies: number[] = [];
  const writes = Array.from({ length: options.writers }, () => 0);
  await Promise.all(
    writes.map(async (_, writer) => {
      const scope = taskScope({ dagId: run.dagId, runId: run.runId, taskId: `writer-${writer}` });
      while (!done || (writes[writer] ?? 0) < (options.minWrites ?? 0)) {
        // Each write waits for the event loop, as a request would: SQLite's driver is synchronous.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const n = writes[writer] ?? 0;
        const started = performance.now();
        await backend.set(scope, `w${n}`, { writer, n });
        latencies.push(performance.now() - started);
        writes[writer] = n + 1;
      }
    }),
  );
  return { latencies, writes };
}
