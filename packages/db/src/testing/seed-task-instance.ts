import { randomUUID } from 'node:crypto';
import type { SerializedDag } from '@tidemark/core';
import type { Db } from '../open-database.ts';
import { type DagRegistration, registerDag, storedDagColumns } from '../repositories/dag-repository.ts';
import { createDagRun } from '../repositories/dag-run-repository.ts';

/** The run a seeded task instance belongs to. */
export interface SeededDagRun {
  readonly dagRunId: number;
  readonly dagId: string;
  readonly runId: string;
}

/** A task instance row to insert; every column not named takes a "just queued" default. */
export interface SeedTaskInstance {
  readonly taskId: string;
  readonly mapIndex?: number;
  /** `queued` unless named; `null` is the state "none". */
  readonly state?: string | null;
  readonly tryNumber?: number;
  readonly maxTries?: number;
  readonly queuedAt?: number;
  readonly startDate?: number | null;
  readonly heartbeatAt?: number | null;
  readonly worker?: string | null;
  /** created_at/updated_at, and queued_at unless named. */
  readonly now?: number;
}

/** Registers the DAG as the DAG processor would: its row plus its serialized form. */
export async function seedDag(db: Db, dag: SerializedDag, now: number): Promise<void> {
  await registerDag(db, { dagId: dag.dagId, fileloc: dag.fileloc, schedule: dag.schedule }, now);
  await db.updateTable('dag').set(storedDagColumns(dag)).where('dag_id', '=', dag.dagId).execute();
}

/** Registers the DAG (with its serialized form when given one) and creates one run of it. */
export async function seedDagRun(
  db: Db,
  dag: SerializedDag | DagRegistration,
  run: { readonly runId: string; readonly conf?: Record<string, unknown>; readonly logicalDate?: number | null },
  now = 0,
): Promise<SeededDagRun> {
  if ('tasks' in dag) await seedDag(db, dag, now);
  else await registerDag(db, dag, now);
  const dagRunId = await createDagRun(
    db,
    { dagId: dag.dagId, runId: run.runId, conf: run.conf ?? {}, logicalDate: run.logicalDate ?? null },
    now,
  );
  return { dagRunId, dagId: dag.dagId, runId: run.runId };
}

/**
 * Inserts one task instance of `run` directly in the state the test needs: setting up a world, not
 * moving one (inserts are creations, not transitions). Returns its id.
 */
export async function seedTaskInstance(db: Db, run: SeededDagRun, ti: SeedTaskInstance): Promise<string> {
  const id = randomUUID();
  const now = ti.now ?? 0;
  await db
    .insertInto('task_instance')
    .values({
      id,
      dag_run_id: run.dagRunId,
      dag_id: run.dagId,
      run_id: run.runId,
      task_id: ti.taskId,
      map_index: ti.mapIndex ?? -1,
      state: ti.state === undefined ? 'queued' : ti.state,
      try_number: ti.tryNumber ?? 0,
      max_tries: ti.maxTries ?? 1,
      queued_at: ti.queuedAt ?? now,
      start_date: ti.startDate ?? null,
      end_date: null,
      heartbeat_at: ti.heartbeatAt ?? null,
      next_retry_at: null,
      worker: ti.worker ?? null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** A task instance running its second of three tries on `host:1`: the attempt a state-write test fences with. */
export function seedRunningAttempt(db: Db, run: SeededDagRun, taskId: string): Promise<string> {
  return seedTaskInstance(db, run, {
    taskId,
    state: 'running',
    tryNumber: 2,
    maxTries: 3,
    startDate: 0,
    heartbeatAt: 0,
    worker: 'host:1',
  });
}
