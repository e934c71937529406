/**
 * Issue 18, the database side of one attempt, without processes: a run of 1,000 independent
 * tasks is queued by one scheduling pass, claimed (one TI per claim, then in batches of
 * `--batch`), and recorded as succeeded, straight through the repositories. It measures what the
 * api-server and the scheduler spend per attempt, apart from task processes.
 *
 *   node --import tsx/esm bench/claim-throughput.ts [--dialect sqlite|postgres|both] [--tis 1000] [--batch 16]
 */
import { randomUUID } from 'node:crypto';
import type { DialectName, MetadataDatabase } from '@tidemark/db';
import * as attempts from '@tidemark/db';
import { createTestDatabase, seedDagRun, serializedTask, startPostgresTestServer } from '@tidemark/db/testing';
import { runSchedulingPass } from '@tidemark/runtime';
import pino from 'pino';

const log = pino({ level: 'silent' });

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function seedRun(database: MetadataDatabase, tis: number): Promise<string> {
  const dagId = `bench_${randomUUID().slice(0, 8)}`;
  const dag = {
    dagId,
    fileloc: 'bench.ts',
    schedule: null,
    startDate: null,
    catchup: false,
    description: null,
    tags: [],
    tasks: Array.from({ length: tis }, (_, index) => serializedTask(`noop_${index}`)),
  } as unknown as Parameters<typeof seedDagRun>[1];
  const run = await seedDagRun(database.db, dag, { runId: 'manual__1' }, 0);
  const rows = Array.from({ length: tis }, (_, index) => ({
    id: randomUUID(),
    dag_run_id: run.dagRunId,
    dag_id: dagId,
    run_id: run.runId,
    task_id: `noop_${index}`,
    map_index: -1,
    state: null,
    try_number: 0,
    max_tries: 1,
    queued_at: null,
    start_date: null,
    end_date: null,
    heartbeat_at: null,
    next_retry_at: null,
    worker: null,
    created_at: 0,
    updated_at: 0,
  }));
  for (let start = 0; start < rows.length; start += 200) {
    await database.db
      .insertInto('task_instance')
      .values(rows.slice(start, start + 200) as never)
      .execute();
  }
  return dagId;
}

interface Figures {
  readonly scheduleMs: number;
  readonly claimMs: number;
  readonly successMs: number;
}

async function measure(database: MetadataDatabase, tis: number, batch: number): Promise<Figures> {
  await seedRun(database, tis);
  let started = performance.now();
  await runSchedulingPass(database, Date.now(), 60_000, log);
  const scheduleMs = performance.now() - started;

  started = performance.now();
  const claimed: { tiId: string; tryNumber: number }[] = [];
  const claimMany = (attempts as Record<string, unknown>).claimNextAttempts as
    | ((
        db: MetadataDatabase,
        claim: { worker: string; now: number; limit: number },
      ) => Promise<attempts.ClaimedTaskInstance[]>)
    | undefined;
  for (;;) {
    const got =
      batch > 1 && claimMany
        ? await claimMany(database, { worker: 'bench', now: Date.now(), limit: batch })
        : [await attempts.claimNextAttempt(database, { worker: 'bench', now: Date.now() })].filter(
            (c) => c !== undefined,
          );
    if (got.length === 0) break;
    for (const c of got) claimed.push({ tiId: c.taskInstance.id, tryNumber: c.taskInstance.try_number });
  }
  const claimMs = performance.now() - started;
  if (claimed.length !== tis) throw new Error(`claimed ${claimed.length} of ${tis}`);

  started = performance.now();
  const cipher = attempts.PLAINTEXT_CIPHER;
  for (const attempt of claimed) {
    await attempts.finishAttemptSuccess(database, {
      ...attempt,
      returnValue: 'null',
      now: Date.now(),
      stagedWrites: { apply: 'in_transaction', historyDepth: 1, cipher },
    });
  }
  const successMs = performance.now() - started;
  return { scheduleMs, claimMs, successMs };
}

async function main(): Promise<void> {
  const dialectOption = option('--dialect') ?? 'both';
  const dialects: DialectName[] = dialectOption === 'both' ? ['sqlite', 'postgres'] : [dialectOption as DialectName];
  const tis = Number(option('--tis') ?? 1000);
  const batch = Number(option('--batch') ?? 16);
  const postgres = dialects.includes('postgres')
    ? await startPostgresTestServer(undefined, { autovacuum: true })
    : undefined;
  try {
    for (const dialect of dialects) {
      for (const size of batch > 1 ? [1, batch] : [1]) {
        const test = await createTestDatabase(dialect, { postgresUrl: postgres?.url });
        try {
          const figures = await measure(test.database, tis, size);
          process.stdout.write(
            `${dialect} ${tis} TIs, claim batch ${size}: schedule pass ${figures.scheduleMs.toFixed(0)} ms, ` +
              `claims ${figures.claimMs.toFixed(0)} ms (${((tis / figures.claimMs) * 1000).toFixed(0)}/s), ` +
              `success ${figures.successMs.toFixed(0)} ms (${(figures.successMs / tis).toFixed(2)} ms each)\n`,
          );
        } finally {
          await test.destroy();
        }
      }
    }
  } finally {
    postgres?.stop();
  }
}

await main();
