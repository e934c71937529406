import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listImportErrors } from '@tidemark/db';
import { waitUntil } from '@tidemark/db/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DagProcessor } from '../dag-processor/dag-processor.ts';
import { openWorkerTestWorld, TEST_SECRET_KEY, type WorkerTestWorld } from '../worker/fixtures/worker-test-world.ts';
import type { AttemptResult } from '../worker/supervisor.ts';
import { startWorker, type Worker } from '../worker/worker.ts';
import { packageModuleType } from './package-module-type.ts';

const SDK_PACKAGE = fileURLToPath(new URL('../', import.meta.resolve('@tidemark/sdk')));

// A TypeScript DAG importing a helper module from its folder, and a JavaScript one.
const FILES: Record<string, string> = {
  'greet-dag.ts': `import { dag } from '@tidemark/sdk';
import { greeting } from './lib/greeting.ts';

const greet = dag('untyped_greet', { schedule: null });
greet.task('say', async () => greeting('bare folder'));
export default greet;
`,
  'lib/greeting.ts': "export const greeting = (who: string): string => 'hello, ' + who;\n",
  'count-dag.js': `import { dag } from '@tidemark/sdk';

export const counted = dag('untyped_count', { schedule: null });
counted.task('count', async () => [1, 2, 3].length);
`,
};

/** A DAGs folder in the temp directory, outside any package: no package.json above it. */
function untypedDagsFolder(packageJson?: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-untyped-dags-'));
  mkdirSync(join(folder, 'node_modules', '@tidemark'), { recursive: true });
  symlinkSync(SDK_PACKAGE, join(folder, 'node_modules', '@tidemark', 'sdk'));
  for (const [fileloc, source] of Object.entries(FILES)) {
    mkdirSync(dirname(join(folder, fileloc)), { recursive: true });
    writeFileSync(join(folder, fileloc), source);
  }
  if (packageJson !== undefined) writeFileSync(join(folder, 'package.json'), packageJson);
  return folder;
}

describe('a DAGs folder whose package.json does not say "type": "module"', () => {
  let world: WorkerTestWorld;
  let worker: Worker | undefined;
  let folder: string;
  beforeEach(async () => {
    world = await openWorkerTestWorld('sqlite');
  });
  afterEach(async () => {
    await worker?.stop({ graceMs: 0 });
    worker = undefined;
    await world.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function runAttempts(dagsFolder: string): AttemptResult[] {
    const done: AttemptResult[] = [];
    worker = startWorker({
      apiUrl: world.apiUrl,
      secretKey: TEST_SECRET_KEY,
      dagsFolder,
      parallelism: 2,
      pollIntervalMs: 50,
      killGracePeriodMs: 500,
      workerName: 'untyped-folder-worker:1',
      logger: pino({ level: 'silent' }),
      onAttemptDone: (result) => done.push(result),
    });
    return done;
  }

  it('with no package.json at all, parses and runs TypeScript and JavaScript DAGs in task processes', async () => {
    folder = untypedDagsFolder();
    expect(packageModuleType(join(folder, 'greet-dag.ts')).packageJsonPath).toBeNull();

    const summary = await new DagProcessor().runOnce(world.database, { dagsFolder: folder });
    expect(await listImportErrors(world.database.db)).toEqual([]);
    expect([...summary.dags].sort()).toEqual(['untyped_count', 'untyped_greet']);

    const greetRun = await world.trigger('untyped_greet');
    const countRun = await world.trigger('untyped_count');
    const greetTi = await world.queue(greetRun, 'say');
    const countTi = await world.queue(countRun, 'count');
    const done = runAttempts(folder);
    await waitUntil(() => (done.length === 2 ? true : undefined), 'both attempts to end', 30_000, 20);

    expect((await world.taskInstance(greetTi)).state).toBe('success');
    expect((await world.taskInstance(countTi)).state).toBe('success');
    expect(await world.returnValue(greetRun, 'say')).toBe('hello, bare folder');
    expect(await world.returnValue(countRun, 'count')).toBe(3);
  });

  it('with a package.json without "type", runs them the same', async () => {
    folder = untypedDagsFolder('{ "name": "my-dags" }\n');
    await new DagProcessor().runOnce(world.database, { dagsFolder: folder });
    expect(await listImportErrors(world.database.db)).toEqual([]);
    const run = await world.trigger('untyped_greet');
    const tiId = await world.queue(run, 'say');
    const done = runAttempts(folder);
    await waitUntil(() => (done.length === 1 ? true : undefined), 'the attempt to end', 30_000, 20);
    expect((await world.taskInstance(tiId)).state).toBe('success');
  });

  it('with "type": "commonjs", refuses every .ts/.js DAG file at parse time, saying what to change', async () => {
    folder = untypedDagsFolder('{ "type": "commonjs" }\n');
    const summary = await new DagProcessor().runOnce(world.database, { dagsFolder: folder });
    expect(summary.dags).toEqual([]);
    const errors = await listImportErrors(world.database.db);
    expect(errors.map((error) => error.fileloc).sort()).toEqual(['count-dag.js', 'greet-dag.ts', 'lib/greeting.ts']);
    for (const error of errors) {
      expect(error.message).toContain(`${join(folder, 'package.json')} says "type": "commonjs"`);
      expect(error.message).toMatch(/Set "type": "module" in that package.json .* or rename the file to \.mts/);
    }
  });
});
