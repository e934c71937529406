// The three pattern examples (examples/dags) run end to end in real processes (an api-server, a
// scheduler and two `tidemark worker`s) while the test SIGKILLs, at seeded random points, either a
// try's task process or the worker running it (the scheduler then fails the zombie and another
// worker retries it). Every example allows KILLS_PER_RUN retries; each run takes that many kills,
// 20 per dialect in all. The seed is logged; TIDEMARK_E2E_SEED=<seed> replays the same points.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TidemarkCluster } from '@tidemark/cli/testing';
import { assetScope, type JsonValue, taskScope } from '@tidemark/core';
import { MetastoreStateBackend, triggerDagRun } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { parseDagFiles } from '@tidemark/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { PROGRESS_EVERY } from '../../examples/dags/example_checkpoint.ts';
import { FakeBatchService } from '../../examples/fake-batch-service/fake-batch-service.ts';
import { type KillTarget, killTries, type PlannedKill, untilPoint } from './support/crash-driver.ts';
import { E2eEnvironment } from './support/e2e-environment.ts';
import { stopFakeBatchJobs } from './support/fake-batch-jobs.ts';
import { readAttemptLog, type TaskInstanceName } from './support/running-attempt.ts';
import { SeededRandom } from './support/seeded-random.ts';

const EXAMPLE_DAGS = resolve(import.meta.dirname, '..', '..', 'examples', 'dags');
const PATTERN_EXAMPLES = ['example_resumable_job.ts', 'example_checkpoint.ts', 'example_watermark.ts'];
/** Each pattern example declares `retries: 3`, so a run survives three kills. */
const KILLS_PER_RUN = 3;
const HISTORY_DEPTH = 100;

const RESUMABLE_RUNS = 2;
/** Long enough that the job still runs when the last planned kill comes (worker restarts included). */
const RESUMABLE_JOB_SECONDS = 16;
/** How long the fake service takes to answer a submit in run 2, the window its first kill aims at. */
const SUBMIT_LATENCY_MS = 1_500;
const CHECKPOINT_RUNS = 3;
const CHECKPOINT_ITEMS = 1_000;
const CHECKPOINT_ITEM_MS = 4;
/**
 * Progress is written in the background: a write starts every PROGRESS_EVERY.items items, and the
 * loop goes on while it is in flight. A kill during a write loses the window before it plus the
 * items done meanwhile, so a retry may redo one window and what one write's latency lets through.
 */
const CHECKPOINT_MAX_REPEATS = 2 * PROGRESS_EVERY.items;
/**
 * Kills land after this many items of the try: more than CHECKPOINT_MAX_REPEATS, so a retry that
 * started over would fail the repeat check; three kills stay well inside 1,000 items.
 */
const CHECKPOINT_KILL_ITEMS = [CHECKPOINT_MAX_REPEATS + 1, 250] as const;
const WATERMARK_FILE_MS = 150;

const seeds = SeededRandom.fromEnvironment();
console.info(`patterns-crash: seed ${seeds.seed} (replay with TIDEMARK_E2E_SEED=${seeds.seed})`);

describe('the pattern examples', () => {
  it('load with the other examples, without errors, and run only when triggered', async () => {
    const files = readdirSync(EXAMPLE_DAGS).filter((name) => name.endsWith('.ts'));
    const { dags, errors } = await parseDagFiles(files, EXAMPLE_DAGS);
    expect(errors).toEqual([]);
    const schedules = Object.fromEntries(dags.map((dag) => [dag.dagId, dag.schedule]));
    expect(schedules).toMatchObject({ example_resumable_job: null, example_checkpoint: null, example_watermark: null });
  });
});

describe.each(eachDialect())('pattern examples under SIGKILL on %s', (dialect) => {
  let world: E2eEnvironment | undefined;
  let cluster: TidemarkCluster<E2eEnvironment> | undefined;
  const scratch: string[] = [];
  const log = (line: string) => console.info(`[patterns-crash ${dialect} seed ${seeds.seed}] ${line}`);

  afterEach(async () => {
    await cluster?.stop();
    if (world) stopFakeBatchJobs(world.home);
    await world?.destroy();
    cluster = undefined;
    world = undefined;
    for (const folder of scratch.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** The three pattern examples (linked from examples/dags), two workers, and a view of the state. */
  async function startCluster() {
    const dagsFolder = mkdtempSync(join(tmpdir(), 'tidemark-pattern-dags-'));
    scratch.push(dagsFolder);
    for (const file of PATTERN_EXAMPLES) symlinkSync(join(EXAMPLE_DAGS, file), join(dagsFolder, file));
    world = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: dagsFolder,
      TIDEMARK_STATE__HISTORY_DEPTH: String(HISTORY_DEPTH),
    });
    cluster = await TidemarkCluster.start(world, { workers: 2 });
    const state = new MetastoreStateBackend(world.database, { maxValueBytes: 0, historyDepth: HISTORY_DEPTH });
    return { world, cluster, state };
  }

  it('resumable: each job is submitted once and its result collected, whatever is killed', {
    timeout: 240_000,
  }, async () => {
    const { world, cluster, state } = await startCluster();
    const random = seeds.derive(`${dialect}/resumable`);
    const service = new FakeBatchService(world.home);
    await world.waitForDag('example_resumable_job');
    let kills = 0;

    for (let run = 1; run <= RESUMABLE_RUNS; run++) {
      const ti = { dagId: 'example_resumable_job', runId: `resumable-${run}`, taskId: 'run_job' };
      const label = `${ti.dagId}/${ti.runId}/${ti.taskId}`;
      // The first kill comes early: in run 1 at a random delay (before or just after the submit),
      // in run 2 after the service accepted the submit but before its answer reached the task. The
      // others come at random points of the job's progress.
      const inSubmitGap = run === 2;
      const progressPoints = [random.next(), random.next()].map((p) => 0.05 + 0.3 * p).sort((a, b) => a - b);
      const plan = killTargets(random, 1).map(
        (target, index): PlannedKill => ({
          target,
          reach:
            index > 0
              ? atJobProgress(service, label, progressPoints[index - 1] as number)
              : inSubmitGap
                ? afterAcceptedSubmit(service, label)
                : afterDelay(random.integer(0, 800)),
        }),
      );
      await triggerDagRun(world.database, {
        ...runOf(ti),
        conf: { job_seconds: RESUMABLE_JOB_SECONDS, submit_latency_ms: inSubmitGap ? SUBMIT_LATENCY_MS : 0 },
      });
      const landed = await killTries(cluster, ti, plan, log);
      kills += landed.length;

      expect(await world.waitForRunFinished(ti.dagId, ti.runId, 120_000)).toBe('success');
      expect(await tryNumberOf(world, ti)).toBe(landed.length + 1);
      const submissions = service.submissions(label);
      expect(submissions).toHaveLength(1);
      const jobId = submissions[0]?.job_id as string;
      expect(await world.xcom(ti.dagId, ti.runId, ti.taskId)).toEqual({
        job_id: jobId,
        submissions: 1,
        result: await service.result(jobId),
      });
      const record = await state.get(taskScope(ti), 'batch_job');
      expect(record?.value).toMatchObject({ job_id: jobId, status: 'succeeded', submissions: 1 });
      const decisions = await resumableDecisions(world.home, ti, landed.length + 1);
      log(
        `${ti.runId}: ${decisions.map((decision, index) => `try ${index + 1} ${decision ?? '(no log)'}`).join(', ')}`,
      );
      expect(decisions.at(-1)).toMatch(/^(reattach|already_done|fresh_submit)$/);
      expect(decisions).not.toContain('resubmit_after_failure');
      const calls = service.submitCalls(label);
      expect(new Set(calls.map((call) => call.idempotencyKey)).size).toBe(1); // every submit of the job, one key
      if (inSubmitGap) {
        // The killed try never learned the job id, so a retry submitted again (with the same key,
        // and the service answered with the job it had accepted).
        expect(calls.length).toBeGreaterThanOrEqual(2);
      }
    }
    expect(kills).toBe(RESUMABLE_RUNS * KILLS_PER_RUN);

    const refused = { dagId: 'example_resumable_job', runId: 'resumable-bad', taskId: 'run_job' };
    await expectRefusedConf(world, refused, {
      conf: { job_seconds: -5 },
      message: 'conf.job_seconds must be a number of seconds > 0, got -5',
    });
    expect(service.submitCalls(`${refused.dagId}/${refused.runId}/${refused.taskId}`)).toEqual([]);
  });

  it('checkpoint: every item is processed, progress ends complete, a retry redoes at most one window (and a write in flight)', {
    timeout: 240_000,
  }, async () => {
    const { world, cluster, state } = await startCluster();
    const random = seeds.derive(`${dialect}/checkpoint`);
    const ledger = join(world.home, 'example-checkpoint', 'processed.log');
    await world.waitForDag('example_checkpoint');
    let kills = 0;

    for (let run = 1; run <= CHECKPOINT_RUNS; run++) {
      const ti = { dagId: 'example_checkpoint', runId: `checkpoint-${run}`, taskId: 'process_items' };
      const processedBy = (tryNumber: number) =>
        readLedger<ProcessedItem>(ledger).filter(
          (entry) => entry.run_id === ti.runId && entry.try_number === tryNumber,
        );
      const plan = killTargets(random, 1).map((target): PlannedKill => {
        const items = random.integer(...CHECKPOINT_KILL_ITEMS);
        return {
          target,
          reach: async (attempt) => {
            await untilPoint(attempt, () => processedBy(attempt.tryNumber).length >= items, `${items} items`);
            return `after ${items} items of the try`;
          },
        };
      });
      await triggerDagRun(world.database, {
        ...runOf(ti),
        conf: { items: CHECKPOINT_ITEMS, item_ms: CHECKPOINT_ITEM_MS },
      });
      const landed = await killTries(cluster, ti, plan, log);
      kills += landed.length;

      expect(await world.waitForRunFinished(ti.dagId, ti.runId, 120_000)).toBe('success');
      const tries = landed.length + 1;
      expect(await tryNumberOf(world, ti)).toBe(tries);
      const entries = readLedger<ProcessedItem>(ledger).filter((entry) => entry.run_id === ti.runId);
      expect(new Set(entries.map((entry) => entry.item)).size).toBe(CHECKPOINT_ITEMS);

      const progress = await state.get(taskScope(ti), 'items');
      expect(progress?.value).toMatchObject({ done: CHECKPOINT_ITEMS, total: CHECKPOINT_ITEMS });

      const repeatsPerTry = repeatedAfterEachKill(entries, tries);
      log(`${ti.runId}: items processed again after each kill: ${repeatsPerTry.join(', ')}`);
      for (const repeats of repeatsPerTry) expect(repeats).toBeLessThanOrEqual(CHECKPOINT_MAX_REPEATS);

      const lastTry = entries.filter((entry) => entry.try_number === tries);
      expect(await world.xcom(ti.dagId, ti.runId, ti.taskId)).toEqual({
        total: CHECKPOINT_ITEMS,
        processed_this_try: lastTry.length,
        first_item_this_try: lastTry[0]?.item ?? null,
        try_number: tries,
      });
    }
    expect(kills).toBe(CHECKPOINT_RUNS * KILLS_PER_RUN);

    await expectRefusedConf(
      world,
      { dagId: 'example_checkpoint', runId: 'checkpoint-bad', taskId: 'process_items' },
      {
        conf: { items: 'lots' },
        message: 'conf.items must be a whole number ≥ 0, got "lots"',
      },
    );
    expect(readLedger<ProcessedItem>(ledger).filter((entry) => entry.run_id === 'checkpoint-bad')).toEqual([]);
  });

  it('watermark: never moves back, never advances for a failed load, and the next run reads the committed value', {
    timeout: 240_000,
  }, async () => {
    const { world, cluster, state } = await startCluster();
    const random = seeds.derive(`${dialect}/watermark`);
    const sourceDir = join(world.home, 'watermark-source');
    const ledger = join(world.home, 'example-watermark', 'loaded.log');
    mkdirSync(sourceDir, { recursive: true });
    await world.waitForDag('example_watermark');
    const assetId = await assetIdOf(world, 'example_source_files');
    const committed = async () => (await state.get(assetScope(assetId), 'loaded_until'))?.value as string | undefined;

    // Runs in order: kills (task or worker), loads that fail after committing, and a clean one.
    const steps: { kills: KillTarget[]; failAfterLoad: boolean }[] = [
      { kills: ['task'], failAfterLoad: false },
      { kills: [], failAfterLoad: true },
      { kills: ['worker'], failAfterLoad: false },
      { kills: random.shuffle(['task', 'worker']), failAfterLoad: false },
      { kills: [], failAfterLoad: false },
      { kills: ['task'], failAfterLoad: true },
      { kills: [], failAfterLoad: false },
    ];
    let fileNumber = 0;
    let kills = 0;
    const readings: (string | undefined)[] = [];

    for (const [index, step] of steps.entries()) {
      const ti = { dagId: 'example_watermark', runId: `watermark-${index + 1}`, taskId: 'load_new_files' };
      const newFiles = Array.from(
        { length: random.integer(4, 8) },
        () => `part-${String(++fileNumber).padStart(4, '0')}.csv`,
      );
      for (const file of newFiles) writeFileSync(join(sourceDir, file), `rows of ${file}\n`);
      const before = await committed();
      readings.push(before);
      const loadedBy = (tryNumber: number) =>
        readLedger<LoadedFile>(ledger).filter((entry) => entry.run_id === ti.runId && entry.try_number === tryNumber);
      const plan = step.kills.map((target): PlannedKill => {
        const files = random.integer(0, newFiles.length - 3); // leaves the try 3 files to go
        return {
          target,
          reach: async (attempt) => {
            await untilPoint(attempt, () => loadedBy(attempt.tryNumber).length >= files, `${files} files loaded`);
            return `after ${files} files of the try`;
          },
        };
      });
      await triggerDagRun(world.database, {
        ...runOf(ti),
        conf: { source_dir: sourceDir, file_ms: WATERMARK_FILE_MS, fail_after_load: step.failAfterLoad },
      });
      const landed = await killTries(cluster, ti, plan, log);
      kills += landed.length;

      const outcome = await world.waitForRunFinished(ti.dagId, ti.runId, 120_000);
      expect(outcome).toBe(step.failAfterLoad ? 'failed' : 'success');
      expect(await tryNumberOf(world, ti)).toBe(landed.length + 1);
      const after = await committed();
      const expectedLoad = readdirSync(sourceDir)
        .filter((file) => file > (before ?? ''))
        .sort();
      const lastTry = loadedBy(landed.length + 1).map((entry) => entry.file);
      expect(lastTry).toEqual(expectedLoad); // the last try loaded everything after the watermark it read
      if (step.failAfterLoad) {
        expect(after).toBe(before); // loaded and committed, then failed: the commit was dropped
      } else {
        expect(await world.xcom(ti.dagId, ti.runId, ti.taskId)).toEqual({
          read: before ?? '',
          loaded: expectedLoad,
          committed: expectedLoad.at(-1) ?? null,
        });
        expect(after).toBe(expectedLoad.at(-1) ?? before);
      }
      log(`${ti.runId}: watermark ${JSON.stringify(before)} -> ${JSON.stringify(after)} (${outcome})`);
    }
    expect(kills).toBe(steps.reduce((sum, step) => sum + step.kills.length, 0));

    // Every version the asset's watermark ever had, oldest first, only grows.
    const history = (await state.history(assetScope(assetId), 'loaded_until')).map((entry) => entry.value as string);
    const versions = [...history].reverse();
    expect(versions).toEqual([...versions].sort());
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.at(-1)).toBe(`part-${String(fileNumber).padStart(4, '0')}.csv`);

    writeFileSync(join(sourceDir, 'part-9999.csv'), 'rows\n');
    await expectRefusedConf(
      world,
      { dagId: 'example_watermark', runId: 'watermark-bad', taskId: 'load_new_files' },
      {
        conf: { source_dir: sourceDir, file_ms: 'slow' },
        message: 'conf.file_ms must be a number of milliseconds ≥ 0, got "slow"',
      },
    );
    expect(await committed()).toBe(versions.at(-1));
  });
});

interface ProcessedItem {
  readonly run_id: string;
  readonly try_number: number;
  readonly item: string;
}

interface LoadedFile {
  readonly run_id: string;
  readonly try_number: number;
  readonly file: string;
}

/** KILLS_PER_RUN kills, `workerKills` of them of the worker, in a random order. */
function killTargets(random: SeededRandom, workerKills: number): KillTarget[] {
  return random.shuffle(
    Array.from({ length: KILLS_PER_RUN }, (_, index): KillTarget => (index < workerKills ? 'worker' : 'task')),
  );
}

function runOf(ti: TaskInstanceName) {
  return { dagId: ti.dagId, runId: ti.runId };
}

/** Kills once the service accepted the label's submit, while it delays its answer (submit_latency_ms). */
function afterAcceptedSubmit(service: FakeBatchService, label: string): PlannedKill['reach'] {
  return async (attempt) => {
    const point = 'after the service accepted the submit, before the task got the job id';
    await untilPoint(attempt, () => service.submissions(label).length > 0, point);
    return point;
  };
}

function afterDelay(ms: number): PlannedKill['reach'] {
  return async () => {
    await sleep(ms);
    return `${ms} ms after the try was seen running`;
  };
}

/** Kills once the job of this label has made `progress` (0…1); fails if the job already ended. */
function atJobProgress(service: FakeBatchService, label: string, progress: number): PlannedKill['reach'] {
  return async (attempt) => {
    const point = `at job progress ${progress.toFixed(2)}`;
    await untilPoint(
      attempt,
      async () => {
        const submission = service.submissions(label)[0];
        if (submission === undefined) return false;
        const status = await service.poll(submission.job_id);
        if (status.state !== 'running') {
          throw new Error(`the job ended (${status.state}) before ${point}: raise RESUMABLE_JOB_SECONDS`);
        }
        return (status.detail?.progress ?? 0) >= progress;
      },
      point,
    );
    return point;
  };
}

/** A run with bad conf fails at once (no retry), and its log names the setting and what it got. */
async function expectRefusedConf(
  world: E2eEnvironment,
  ti: TaskInstanceName,
  refusal: { conf: Record<string, JsonValue>; message: string },
): Promise<void> {
  await triggerDagRun(world.database, { ...runOf(ti), conf: refusal.conf });
  expect(await world.waitForRunFinished(ti.dagId, ti.runId)).toBe('failed');
  expect(await tryNumberOf(world, ti)).toBe(1);
  await waitUntil(() => readAttemptLog(world.home, ti, 1).includes(refusal.message), `the refusal in the log`, 10_000);
}

async function tryNumberOf(world: E2eEnvironment, ti: TaskInstanceName): Promise<number | undefined> {
  const [row] = await world.taskInstances(ti.dagId, ti.runId);
  return row?.try_number;
}

async function assetIdOf(world: E2eEnvironment, name: string): Promise<number> {
  const row = await world.database.db.selectFrom('asset').select('id').where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw new Error(`asset ${name} is not registered`);
  return Number(row.id);
}

function readLedger<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as T);
}

/**
 * The decision `resumable` logged in each try (SPEC §13); undefined for a try killed before it
 * decided, or whose worker was killed before it shipped the line. Waits for the last try's line.
 */
async function resumableDecisions(home: string, ti: TaskInstanceName, tries: number) {
  const decisionIn = (tryNumber: number) =>
    readAttemptLog(home, ti, tryNumber).match(/resumable\("batch_job"\): (\w+):/)?.[1];
  await waitUntil(() => decisionIn(tries), `the decision of try ${tries} in its attempt log`, 10_000);
  return Array.from({ length: tries }, (_, index) => decisionIn(index + 1));
}

/** For tries 2…n: how many of the items the try processed an earlier try had processed already. */
function repeatedAfterEachKill(entries: readonly ProcessedItem[], tries: number): number[] {
  const seen = new Set<string>();
  const repeats: number[] = [];
  for (let tryNumber = 1; tryNumber <= tries; tryNumber++) {
    const items = entries.filter((entry) => entry.try_number === tryNumber).map((entry) => entry.item);
    if (tryNumber > 1) repeats.push(items.filter((item) => seen.has(item)).length);
    for (const item of items) seen.add(item);
  }
  return repeats;
}
