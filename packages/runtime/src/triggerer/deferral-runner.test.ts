import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type JsonValue, type TidemarkConfig } from '@tidemark/core';
import { getXcom, type MetadataDatabase, markTaskInstance, triggerDagRun } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase, waitUntil } from '@tidemark/db/testing';
import { buildApiServer, readAttemptLog } from '@tidemark/server';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DagProcessor } from '../dag-processor/dag-processor.ts';
import { type RunningScheduler, startScheduler } from '../scheduler/scheduler.ts';
import { startWorker, type Worker } from '../worker/worker.ts';
import { startTriggerer, type Triggerer } from './triggerer.ts';

const DAGS_FOLDER = join(import.meta.dirname, 'deferral-fixtures');
const SECRET_KEY = 'deferral-test-secret-key-0123456789-abcdefgh';

/**
 * Deferral end to end inside one test process (SPEC §16): a real api-server, scheduler, worker
 * (task processes are real children) and triggerer (its watcher process too), on both dialects.
 */
describe.each(eachDialect())('deferred tasks on %s', (dialect) => {
  let test: TestDatabase;
  let database: MetadataDatabase;
  let home: string;
  let app: FastifyInstance;
  let scheduler: RunningScheduler;
  let worker: Worker;
  let triggerer: Triggerer;

  beforeAll(async () => {
    test = await openTestDatabaseFor(dialect);
    database = test.database;
    home = mkdtempSync(join(tmpdir(), 'tidemark-deferral-test-'));
    const config: TidemarkConfig = {
      ...configSchema.parse({
        triggerer: { lease_timeout: '3s' },
        scheduler: { loop_interval: '100ms', task_heartbeat_timeout: '5s' },
      }),
      home,
      database: { url: test.url },
    };
    const log = pino({ level: 'silent' });
    await new DagProcessor().runOnce(database, { dagsFolder: DAGS_FOLDER });
    app = await buildApiServer({
      config,
      database,
      secretKey: SECRET_KEY,
      sessionKey: `${SECRET_KEY}-session`,
      logsFolder: join(home, 'logs'),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    scheduler = startScheduler({ config, database, log });
    worker = startWorker({
      apiUrl,
      secretKey: SECRET_KEY,
      dagsFolder: DAGS_FOLDER,
      parallelism: 2,
      pollIntervalMs: 50,
      killGracePeriodMs: 500,
      logger: log,
    });
    triggerer = startTriggerer({
      apiUrl,
      secretKey: SECRET_KEY,
      dagsFolder: DAGS_FOLDER,
      capacity: 10,
      leaseTimeoutMs: 3_000,
      logger: log,
    });
  });
  afterAll(async () => {
    await triggerer?.stop({ graceMs: 1_000 });
    await worker?.stop({ graceMs: 0 });
    await scheduler?.stop();
    await app?.close();
    await test?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  async function run(dagId: string, conf: Record<string, JsonValue> = {}) {
    const created = await triggerDagRun(database, { dagId, conf });
    const ti = await database.db
      .selectFrom('task_instance')
      .select(['id', 'task_id'])
      .where('dag_run_id', '=', created.dagRunId)
      .executeTakeFirstOrThrow();
    return { ...created, dagId, tiId: ti.id, taskId: ti.task_id };
  }
  const tiRow = (tiId: string) =>
    database.db.selectFrom('task_instance').selectAll().where('id', '=', tiId).executeTakeFirstOrThrow();
  const untilState = (tiId: string, states: readonly string[], what: string, timeoutMs = 30_000) =>
    waitUntil(
      async () => {
        const row = await tiRow(tiId);
        return states.includes(row.state ?? 'none') ? row : undefined;
      },
      what,
      timeoutMs,
    );
  const returnValue = (r: { dagRunId: number; taskId: string }) =>
    getXcom(database.db, { dagRunId: r.dagRunId, taskId: r.taskId, mapIndex: -1, key: 'return_value' });
  const attemptLog = async (r: { dagId: string; runId: string; taskId: string }, tryNumber: number) =>
    (await readAttemptLog(join(home, 'logs'), { ...r, mapIndex: -1, tryNumber }))?.text ?? '';
  /** The server writes its outcome line after the transition commits, so a reader waits for it. */
  const attemptLogOnceItHas = (
    r: { dagId: string; runId: string; taskId: string },
    tryNumber: number,
    expected: string | RegExp,
  ) =>
    waitUntil(
      async () => {
        const log = await attemptLog(r, tryNumber);
        const found = typeof expected === 'string' ? log.includes(expected) : expected.test(log);
        return found ? log : undefined;
      },
      `the log of try ${tryNumber} to contain ${String(expected)}`,
    );

  it('a timer: the task runs again with ctx.resumedWith, the same try number and its task state', async () => {
    const r = await run('deferral_timer');
    const done = await untilState(r.tiId, ['success', 'failed'], 'the timer task to finish');
    expect(done).toMatchObject({ state: 'success', try_number: 1 });
    expect(await returnValue(r)).toEqual({
      resumedWith: { kind: 'timer' },
      tryNumber: 1,
      note: 'written before deferring',
    });
    const log = await attemptLogOnceItHas(r, 1, 'attempt 1 finished: task instance is success');
    expect(log).toContain('attempt 1 deferred: task instance is deferred');
    expect(log).toContain('the wait fired (triggerer');
  });

  it('a poll: the TI holds no slot while deferred, and resumes once the poll returns something', async () => {
    const path = join(home, 'job-done.flag');
    const r = await run('deferral_file', { path });
    await untilState(r.tiId, ['deferred'], 'the task to defer');
    await waitUntil(async () => (worker.running === 0 ? true : undefined), 'the worker to have no attempt running');
    writeFileSync(path, 'done');
    expect(await untilState(r.tiId, ['success', 'failed'], 'the resumed task to finish')).toMatchObject({
      state: 'success',
      try_number: 1,
    });
    expect(await returnValue(r)).toEqual({ resumedWith: { found: path }, tryNumber: 1 });
    expect(await database.db.selectFrom('task_deferral').selectAll().execute()).toEqual([]);
  });

  it('an error in the wait fails the try, and the retry policy applies', async () => {
    const r = await run('deferral_failing');
    const failed = await untilState(r.tiId, ['failed'], 'both tries to fail in their wait');
    expect(failed.try_number).toBe(2);
    for (const tryNumber of [1, 2]) {
      await attemptLogOnceItHas(
        r,
        tryNumber,
        new RegExp(
          `attempt ${tryNumber} failed in its wait: poll "job_api" of DAG "deferral_failing" threw: Error: the job API answered 503`,
        ),
      );
    }
    expect(await attemptLog(r, 1)).toContain('task instance is up_for_retry');
  });

  it('a timeout fails the try (no retries left: failed)', async () => {
    const r = await run('deferral_file', { path: join(home, 'never.flag'), timeout: '1s' });
    expect(await untilState(r.tiId, ['failed', 'success'], 'the wait to time out')).toMatchObject({
      state: 'failed',
      try_number: 1,
    });
  });

  it('a watcher process killed during a check costs only that check: the wait goes on and fires', async () => {
    const path = join(home, 'slow.flag');
    const r = await run('deferral_slow_poll', { path });
    await untilState(r.tiId, ['deferred'], 'the task to defer');
    const pid = await waitUntil(async () => triggerer.watcherProcessPid, 'a check to start the watcher process');
    writeFileSync(path, 'done');
    process.kill(pid, 'SIGKILL');
    expect(await untilState(r.tiId, ['success', 'failed'], 'the wait to fire after the crash')).toMatchObject({
      state: 'success',
      try_number: 1,
    });
    expect(triggerer.watcherProcessPid).not.toBe(pid);
  });

  it('marking a deferred TI cancels its wait: the triggerer lets go of it', async () => {
    const r = await run('deferral_file', { path: join(home, 'never-either.flag') });
    await untilState(r.tiId, ['deferred'], 'the task to defer');
    const deferralId = await waitUntil(
      async () => triggerer.deferralIds[0],
      'the triggerer to lease the deferral',
      10_000,
    );
    await markTaskInstance(database, { tiId: r.tiId, newState: 'success', now: Date.now() });
    await waitUntil(
      async () => (triggerer.deferralIds.includes(deferralId) ? undefined : true),
      'the triggerer to drop the cancelled wait',
      10_000,
    );
    expect((await tiRow(r.tiId)).state).toBe('success');
  });
});
