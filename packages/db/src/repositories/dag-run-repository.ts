import {
  DagNotFoundError,
  DagRunExistsError,
  type DagRunState,
  type DagRunType,
  type JsonValue,
  type SerializedDag,
} from '@tidemark/core';
import type { DialectName } from '../dialect/database-url.ts';
import type { Db, MetadataDatabase } from '../open-database.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { readSerializedDag } from './parsed-dag-cache.ts';
import { createTaskInstances } from './task-instance-repository.ts';

export type { DagRunState, DagRunType } from '@tidemark/core';

export interface NewDagRun {
  readonly dagId: string;
  readonly runId: string;
  readonly runType?: DagRunType;
  readonly conf?: Record<string, unknown>;
  readonly logicalDate?: number | null;
}

/** Creates a run row in state `queued`; returns its surrogate id. (No TIs: see `createRunWithTaskInstances`.) */
export async function createDagRun(db: Db, run: NewDagRun, now = Date.now()): Promise<number> {
  const row = await db
    .insertInto('dag_run')
    .values({
      dag_id: run.dagId,
      run_id: run.runId,
      state: 'queued',
      run_type: run.runType ?? 'manual',
      conf: JSON.stringify(run.conf ?? {}),
      logical_date: run.logicalDate ?? null,
      data_interval_start: null,
      data_interval_end: null,
      queued_at: now,
      start_date: null,
      end_date: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface CreatedDagRun {
  readonly dagRunId: number;
  readonly dagId: string;
  readonly runId: string;
}

async function runIdTaken(trx: Db, dagId: string, runId: string): Promise<boolean> {
  const existing = await trx
    .selectFrom('dag_run')
    .select('id')
    .where('dag_id', '=', dagId)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return existing !== undefined;
}

/** `base`, or `base__2`, `base__3`… for runs triggered within the same millisecond. */
async function firstFreeRunId(trx: Db, dagId: string, base: string): Promise<string> {
  let runId = base;
  for (let n = 2; await runIdTaken(trx, dagId, runId); n++) runId = `${base}__${n}`;
  return runId;
}

/**
 * A run and one TI per task, in one transaction. Refuses a run id the DAG already has,
 * unless the id is a default one (`defaultRunId`), which then gets a numbered suffix.
 */
export async function createRunWithTaskInstances(
  database: MetadataDatabase,
  run: NewDagRun,
  now = Date.now(),
  defaultRunId = false,
): Promise<CreatedDagRun> {
  return inWriteTransaction(database, async (trx) => {
    const dag = await readSerializedDag(trx, run.dagId);
    if (!dag) throw new DagNotFoundError(run.dagId);
    return insertRunWithTaskInstances(trx, dag, run, now, defaultRunId);
  });
}

/** `createRunWithTaskInstances` inside the caller's transaction. */
export async function insertRunWithTaskInstances(
  trx: Db,
  dag: SerializedDag,
  run: NewDagRun,
  now: number,
  defaultRunId: boolean,
): Promise<CreatedDagRun> {
  if (defaultRunId) run = { ...run, runId: await firstFreeRunId(trx, run.dagId, run.runId) };
  else if (await runIdTaken(trx, run.dagId, run.runId)) throw new DagRunExistsError(run.dagId, run.runId);
  const dagRunId = await createDagRun(trx, run, now);
  const identity = { dagRunId, dagId: run.dagId, runId: run.runId };
  await createTaskInstances(trx, identity, dag.tasks, now);
  return identity;
}

export interface ManualTrigger {
  readonly dagId: string;
  /** Default: `manual__<ISO time>`, suffixed `__2`, `__3`… when taken. */
  readonly runId?: string;
  readonly conf?: Record<string, JsonValue>;
  readonly logicalDate?: number | null;
}

/** A run triggered by a person or a script (API, CLI, tests). */
export function triggerDagRun(database: MetadataDatabase, trigger: ManualTrigger, now = Date.now()) {
  return createRunWithTaskInstances(
    database,
    {
      dagId: trigger.dagId,
      runId: trigger.runId ?? `manual__${new Date(now).toISOString()}`,
      runType: 'manual',
      conf: trigger.conf ?? {},
      logicalDate: trigger.logicalDate ?? now,
    },
    now,
    trigger.runId === undefined,
  );
}

/** Deletes a run; its TIs, XComs, task state and history go with it (ON DELETE CASCADE). */
export async function deleteDagRun(db: Db, dagId: string, runId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('dag_run')
    .where('dag_id', '=', dagId)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface ActiveDagRun {
  readonly id: number;
  readonly dag_id: string;
  readonly run_id: string;
  readonly state: DagRunState;
}

/** Runs the scheduler still has work on, oldest first. */
export async function listActiveDagRunIds(db: Db, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('dag_run')
    .select('id')
    .where('state', 'in', ['queued', 'running'])
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Takes the run for one scheduling pass. On PostgreSQL the row lock (SKIP LOCKED) makes another
 * scheduler pass over it instead of scheduling the same TIs twice; SQLite has one writer anyway.
 */
export async function lockDagRunForScheduling(
  db: Db,
  dialect: DialectName,
  dagRunId: number,
): Promise<ActiveDagRun | undefined> {
  const query = db
    .selectFrom('dag_run')
    .select(['id', 'dag_id', 'run_id', 'state'])
    .where('id', '=', dagRunId)
    .where('state', 'in', ['queued', 'running']);
  const row = await (dialect === 'postgres' ? query.forUpdate().skipLocked() : query).executeTakeFirst();
  return row as ActiveDagRun | undefined;
}
