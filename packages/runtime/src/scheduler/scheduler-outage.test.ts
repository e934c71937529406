import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { configSchema, type SerializedDag, type TidemarkConfig } from '@tidemark/core';
import { createDagRun, type MetadataDatabase, registerDag } from '@tidemark/db';
import {
  eachDialect,
  ManualClock,
  type OutageDatabase,
  openOutageDatabase,
  serializedTask,
} from '@tidemark/db/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningScheduler, startScheduler } from './scheduler.ts';

const T0 = Date.UTC(2026, 0, 1);
const HEARTBEAT_TIMEOUT_MS = 2_000;
const DAG: SerializedDag = {
  dagId: 'outage_dag',
  fileloc: 'outage.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('long_task', { retries: 1 })],
};

/** A TI running since T0 whose worker last heartbeated at T0. */
async function seedRunningTi(database: MetadataDatabase): Promise<string> {
  await registerDag(database.db, { dagId: DAG.dagId, fileloc: DAG.fileloc }, T0);
  await database.db
    .updateTable('dag')
    .set({ serialized: JSON.stringify(DAG) })
    .where('dag_id', '=', DAG.dagId)
    .execute();
  const dagRunId = await createDagRun(database.db, { dagId: DAG.dagId, runId: 'r1', conf: {}, logicalDate: T0 }, T0);
  await database.db.updateTable('dag_run').set({ state: 'running' }).where('id', '=', dagRunId).execute();
  const id = randomUUID();
  await database.db
    .insertInto('task_instance')
    .values({
      id,
      dag_run_id: dagRunId,
      dag_id: DAG.dagId,
      run_id: 'r1',
      task_id: 'long_task',
      map_index: -1,
      state: 'running',
      try_number: 1,
      max_tries: 2,
      queued_at: T0,
      start_date: T0,
      end_date: null,
      heartbeat_at: T0,
      next_retry_at: null,
      worker: 'host:1',
      created_at: T0,
      updated_at: T0,
    })
    .execute();
  return id;
}

function logCapture() {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        messages.push((JSON.parse(line) as { msg: string }).msg);
      }
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), messages };
}

async function waitUntil(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(eachDialect())('the scheduler through a database outage, on %s', (dialect) => {
  let outage: OutageDatabase | undefined;
  let scheduler: RunningScheduler | undefined;

  afterEach(async () => {
    await scheduler?.stop();
    await outage?.destroy();
    scheduler = undefined;
    outage = undefined;
  });

  it('says once that the database is gone and once that it is back, and judges no zombie until a heartbeat timeout later', async () => {
    outage = await openOutageDatabase(dialect);
    const { database } = outage;
    const tiId = await seedRunningTi(database);
    const clock = new ManualClock(T0);
    const config: TidemarkConfig = {
      ...configSchema.parse({
        scheduler: { task_heartbeat_timeout: `${HEARTBEAT_TIMEOUT_MS}ms`, loop_interval: '10ms' },
        state: { gc_interval: 0 },
      }),
      home: '/nonexistent',
      database: { url: 'unused' },
    };
    const { log, messages } = logCapture();
    const tiState = async () =>
      (await database.db.selectFrom('task_instance').select('state').where('id', '=', tiId).executeTakeFirstOrThrow())
        .state;
    scheduler = startScheduler({ config, database, log, clock: clock.now });
    await scheduler.nextPass();
    expect(await tiState()).toBe('running');

    await outage.takeAway();
    // The worker cannot heartbeat while the database is away: by the time it is back, the TI looks silent.
    clock.advance(5 * HEARTBEAT_TIMEOUT_MS);
    await waitUntil(() => messages.some((message) => /database is unreachable/.test(message)), 'the outage log line');
    for (let pass = 0; pass < 5; pass++) await scheduler.nextPass();
    await outage.giveBack();
    await waitUntil(() => messages.some((message) => /database is back/.test(message)), 'the recovery log line');

    for (let pass = 0; pass < 3; pass++) await scheduler.nextPass();
    expect(await tiState()).toBe('running');

    clock.advance(HEARTBEAT_TIMEOUT_MS);
    await scheduler.nextPass();
    await scheduler.nextPass();
    // Judged a zombie now: its attempt failed, and the retry (no delay) may already be queued.
    expect(['up_for_retry', 'queued']).toContain(await tiState());
    expect(messages.filter((message) => /database is unreachable/.test(message))).toHaveLength(1);
    expect(messages.filter((message) => /database is back/.test(message))).toHaveLength(1);
    expect(messages.filter((message) => /scheduler pass failed/.test(message))).toEqual([]);
  }, 60_000);
});
