import { type SerializedDag, StaleAttemptError } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { DeferralLeaseLostError, DeferralNotFoundError } from '../errors.ts';
import type { MetadataDatabase } from '../open-database.ts';
import { findDeferralsOf } from '../queries/deferral-queries.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { type SeededDagRun, seedDagRun, seedTaskInstance } from '../testing/seed-task-instance.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { markRemoved, queueTaskInstances } from '../transitions/task-instance-transitions.ts';
import { claimNextAttempt, findTaskInstance, pushAttemptXcom } from './attempt-repository.ts';
import {
  deleteStaleDeferrals,
  failDeferralWait,
  failTimedOutDeferrals,
  fireDeferral,
} from './deferral-fire-repository.ts';
import {
  type DeferralLeaseGrant,
  type LeasedDeferralRecord,
  leaseDeferrals,
  releaseAllDeferralLeases,
} from './deferral-lease-repository.ts';
import { type DeferRequest, deferTry } from './deferral-repository.ts';
import { clearTaskInstances, markTaskInstance } from './task-instance-operator-repository.ts';
import { getXcom } from './xcom-repository.ts';

const T0 = Date.UTC(2026, 0, 1);
const LEASE_TIMEOUT = 30_000;

const DAG: SerializedDag = {
  dagId: 'spark',
  fileloc: 'jobs/spark-dag.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('run_job', { retries: 1, retryDelayMs: 5_000 }), serializedTask('once', { retries: 0 })],
};

const POLL = { kind: 'poll', name: 'spark_job', args: '{"jobId":"j-1"}', everyMs: 10_000 } as const;

function firstOf(grant: DeferralLeaseGrant): LeasedDeferralRecord {
  const [first] = grant.deferrals;
  if (!first) throw new Error('no deferral was leased');
  return first;
}

describe.each(eachDialect())('deferrals on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let run: SeededDagRun;

  beforeEach(async () => {
    database = test.database;
    run = await seedDagRun(database.db, DAG, { runId: 'manual__1' }, T0);
  });

  /** A TI running its first try, claimed through the real claim. */
  async function runningTi(taskId = 'run_job', maxTries = 2): Promise<string> {
    const id = await seedTaskInstance(database.db, run, { taskId, maxTries, now: T0 });
    const claimed = await claimNextAttempt(database, { worker: 'w:1', now: T0 });
    expect(claimed?.taskInstance.id).toBe(id);
    return id;
  }

  const defer = (tiId: string, extra: Partial<DeferRequest> = {}) =>
    deferTry(database, { tiId, tryNumber: 1, wait: POLL, timeoutAt: null, now: T0, ...extra });
  const lease = (owner: string, now = T0, capacity = 10) =>
    leaseDeferrals(database, {
      owner,
      hostname: `${owner}:1`,
      capacity,
      idleChecks: [],
      now,
      leaseTimeoutMs: LEASE_TIMEOUT,
    });
  const fire = (deferralId: number, lease: number, owner = 't1', event: unknown = { state: 'succeeded' }) =>
    fireDeferral(database, { deferralId, owner, lease, event: JSON.stringify(event), now: T0 + 1_000 });
  const ti = async (id: string) => {
    const row = await findTaskInstance(database.db, id);
    if (!row) throw new Error(`no task instance ${id}`);
    return row;
  };
  const deferralCount = async () =>
    Number(
      (
        await database.db
          .selectFrom('task_deferral')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('defers a running try: the TI is deferred and its wait stored, in one write; a stale try writes nothing', async () => {
    const id = await runningTi();
    expect(await defer(id, { timeoutAt: T0 + 60_000 })).toEqual({ state: 'deferred', nextRetryAt: null });
    expect(await ti(id)).toMatchObject({ state: 'deferred', try_number: 1, heartbeat_at: null });
    const deferral = (await findDeferralsOf(database.db, [id])).get(id);
    expect(deferral).toMatchObject({
      kind: 'poll',
      poll_name: 'spark_job',
      args: '{"jobId":"j-1"}',
      every_ms: 10_000,
      next_check_at: T0 + 10_000,
      timeout_at: T0 + 60_000,
      status: 'waiting',
      try_number: 1,
    });

    await expect(defer(id)).rejects.toBeInstanceOf(StaleAttemptError);
    await expect(defer(id, { tryNumber: 2 })).rejects.toBeInstanceOf(StaleAttemptError);
    expect(await deferralCount()).toBe(1);
  });

  it('resumes once however often the wait fires, with the same try number, the event and its XComs', async () => {
    const id = await runningTi();
    await pushAttemptXcom(database, { tiId: id, tryNumber: 1, key: 'progress', value: '3', now: T0 });
    await defer(id, { wait: { kind: 'timer', fireAt: T0 + 500 } });
    const leased = firstOf(await lease('t1'));
    expect(leased).toMatchObject({
      kind: 'timer',
      lease: 1,
      fileloc: 'jobs/spark-dag.ts',
      nextCheckAt: T0 + 500,
      ti: { id, dagId: 'spark', runId: 'manual__1', taskId: 'run_job', mapIndex: -1, tryNumber: 1 },
    });

    expect(await fire(leased.id, 1, 't1', { kind: 'timer' })).toEqual({ resumed: true, tiId: id, tryNumber: 1 });
    expect(await fire(leased.id, 1, 't1', { kind: 'timer', again: true })).toMatchObject({ resumed: false });
    expect(await fire(leased.id, 7, 'someone-else')).toMatchObject({ resumed: false });
    expect((await ti(id)).state).toBe('scheduled');
    expect((await lease('t1')).deferrals).toEqual([]);

    await queueTaskInstances(database.db, [id], T0 + 2_000);
    const resumed = await claimNextAttempt(database, { worker: 'w:2', now: T0 + 3_000 });
    expect(resumed?.resumedWith).toEqual({ kind: 'timer' });
    expect(resumed?.taskInstance).toMatchObject({ id, state: 'running', try_number: 1, worker: 'w:2' });
    expect(
      await getXcom(database.db, { dagRunId: run.dagRunId, taskId: 'run_job', mapIndex: -1, key: 'progress' }),
    ).toBe(3);
    expect(await deferralCount()).toBe(0);
    await expect(fire(leased.id, 1)).rejects.toBeInstanceOf(DeferralNotFoundError);
  });

  it('fences reports by lease: an expired lease moves to another triggerer, and the old holder changes nothing', async () => {
    const id = await runningTi();
    await defer(id);
    const first = firstOf(await lease('t1'));
    expect((await lease('t2')).deferrals).toEqual([]);
    const later = T0 + LEASE_TIMEOUT + 1;
    const taken = firstOf(await lease('t2', later));
    expect(taken).toMatchObject({ id: first.id, lease: 2 });

    await expect(fire(first.id, 1, 't1')).rejects.toBeInstanceOf(DeferralLeaseLostError);
    await expect(
      failDeferralWait(database, { deferralId: first.id, owner: 't1', lease: 1, now: later }),
    ).rejects.toBeInstanceOf(DeferralLeaseLostError);
    await expect(fire(first.id, 1, 't2')).rejects.toBeInstanceOf(DeferralLeaseLostError);
    expect((await ti(id)).state).toBe('deferred');

    expect(await releaseAllDeferralLeases(database.db, 't2', later)).toBe(1);
    expect((await lease('t1', later)).deferrals).toEqual([expect.objectContaining({ lease: 3 })]);
  });

  it('records idle checks under the current lease: last check, count and next check', async () => {
    const id = await runningTi();
    await defer(id);
    const held = firstOf(await lease('t1'));
    const at = T0 + 12_000;
    await leaseDeferrals(database, {
      owner: 't1',
      hostname: 't1:1',
      capacity: 10,
      idleChecks: [
        { deferralId: held.id, lease: 1, checkedAt: at },
        { deferralId: held.id, lease: 9, checkedAt: at + 5_000 },
      ],
      now: at,
      leaseTimeoutMs: LEASE_TIMEOUT,
    });
    expect((await findDeferralsOf(database.db, [id])).get(id)).toMatchObject({
      last_check_at: at,
      check_count: 1,
      next_check_at: at + 10_000,
    });
  });

  it('fails the try when its wait fails, with the retry policy: a retry while tries are left, then failed', async () => {
    const id = await runningTi();
    await defer(id);
    const held = firstOf(await lease('t1'));
    const outcome = await failDeferralWait(database, { deferralId: held.id, owner: 't1', lease: 1, now: T0 + 100 });
    expect(outcome).toEqual({ state: 'up_for_retry', nextRetryAt: T0 + 100 + 5_000, tiId: id, tryNumber: 1 });
    expect(await deferralCount()).toBe(0);

    const once = await runningTi('once', 1);
    await defer(once);
    const second = firstOf(await lease('t1'));
    expect(
      await failDeferralWait(database, { deferralId: second.id, owner: 't1', lease: 1, now: T0 + 200 }),
    ).toMatchObject({ state: 'failed', nextRetryAt: null });
    expect((await ti(once)).state).toBe('failed');
  });

  it('times out: the scheduler fails waiting tries past their timeout with the retry policy, and leaves the others', async () => {
    const late = await runningTi();
    await defer(late, { timeoutAt: T0 + 1_000 });
    const fine = await runningTi('once', 1);
    await defer(fine, { timeoutAt: T0 + 60_000 });

    expect(await failTimedOutDeferrals(database, T0 + 999)).toEqual([]);
    const timedOut = await failTimedOutDeferrals(database, T0 + 1_000);
    expect(timedOut).toEqual([
      { tiId: late, tryNumber: 1, waitedMs: 1_000, outcome: { state: 'up_for_retry', nextRetryAt: T0 + 6_000 } },
    ]);
    expect((await ti(late)).state).toBe('up_for_retry');
    expect((await ti(fine)).state).toBe('deferred');
    expect(await deferralCount()).toBe(1);
  });

  it('cancels the wait when an operator marks or clears a deferred TI', async () => {
    const marked = await runningTi();
    await defer(marked);
    const cleared = await runningTi('once', 1);
    await defer(cleared);
    expect((await lease('t1')).deferrals).toHaveLength(2);

    await markTaskInstance(database, { tiId: marked, newState: 'success', now: T0 + 10 });
    await clearTaskInstances(database, { dagId: 'spark', taskIds: ['once'], now: T0 + 20 });
    expect(await deferralCount()).toBe(0);
    expect((await ti(marked)).state).toBe('success');
    expect((await ti(cleared)).state).toBeNull();
    expect((await lease('t1')).deferrals).toEqual([]);
  });

  it('sweeps deferrals whose TI moved on without them, and no others', async () => {
    const waiting = await runningTi();
    await defer(waiting);
    const gone = await runningTi('once', 1);
    await defer(gone);
    // The task left the DAG: the scheduler removes its TI (a transition that knows nothing of deferrals).
    await markRemoved(database.db, [gone], T0 + 10);
    expect((await ti(gone)).state).toBe('removed');
    expect(await deleteStaleDeferrals(database)).toBe(1);
    expect([...(await findDeferralsOf(database.db, [waiting, gone])).keys()]).toEqual([waiting]);
  });
});
