/**
 * Scenario 10 (issue 20): how long the web UI takes to show a big DAG. A DAG of 200 tasks (layers of
 * 20 after a start task) with 100 finished runs (every tenth failed, some TIs retried), seeded
 * straight into a fresh database, served by a real `tidemark api-server`; Chromium opens the DAG
 * page (grid of the latest 25 runs × 200 tasks, run-duration chart), a run's page (200 TIs), its
 * Gantt and the DAG graph, each in a fresh browser context (nothing cached; one unmeasured load first). The figure is the
 * page's own clock from the start of the navigation to the moment the content is on the page
 * (every row, bar or node drawn). Baseline: the same pages of a 3-task DAG with one run.
 *
 *   npm run bench -- --only ui [--quick] [--dialect sqlite|postgres]
 *
 * With TIDEMARK_BENCH_SCREENSHOTS=<folder>, the last load of each page of the big DAG is saved there.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerializedDag } from '@tidemark/core';
import { createUserAccount, type DialectName } from '@tidemark/db';
import {
  createTestDatabase,
  freePort,
  seedDag,
  seedRunHistory,
  serializedTask,
  type TestDatabase,
} from '@tidemark/db/testing';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../test/ui/support/browser.ts';
import type { BenchRow } from '../harness/bench-results.ts';
import { stopProcess, waitForHealth } from '../harness/bench-world.ts';
import { median } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'tidemark.mjs');
const BUILD_UI = join(ROOT, 'packages', 'ui', 'scripts', 'build-if-stale.mjs');
const USER = { username: 'bench-viewer', password: 'bench-viewer-password-9' };
const TASKS = 200;
const RUNS = 100;
const HOUR = 3_600_000;
const SCREENSHOTS = process.env.TIDEMARK_BENCH_SCREENSHOTS;

/** `start`, then layers of `width` tasks, each task depending on two of the layer before. */
function layeredDag(dagId: string, taskCount: number, width = 20): SerializedDag {
  const tasks = [serializedTask('start')];
  for (let index = 1; index < taskCount; index++) {
    const layer = Math.floor((index - 1) / width);
    const before =
      layer === 0
        ? ['start']
        : [...new Set([(layer - 1) * width + 1 + ((index - 1) % width), (layer - 1) * width + 1])].map(
            (upstream) => `task_${String(upstream).padStart(3, '0')}`,
          );
    tasks.push(serializedTask(`task_${String(index).padStart(3, '0')}`, { upstreamTaskIds: before }));
  }
  return {
    dagId,
    fileloc: `bench/${dagId}.ts`,
    schedule: '@hourly',
    startDate: null,
    catchup: false,
    description: `${taskCount} tasks in layers of ${width}`,
    tags: ['bench'],
    tasks,
  };
}

interface PageCheck {
  /** For a screenshot's file name. */
  readonly name: string;
  readonly page: string;
  readonly path: (dag: SerializedDag, runId: string) => string;
  /** A page expression true once the content is drawn. */
  readonly ready: (tasks: number) => string;
}

const count = (selector: string) => `document.querySelectorAll(${JSON.stringify(selector)}).length`;

const PAGES: readonly PageCheck[] = [
  {
    name: 'dag',
    page: 'DAG page: grid of the latest 25 runs × tasks, run-duration chart',
    path: (dag) => `/dags/${dag.dagId}`,
    ready: (tasks) =>
      `${count('[data-testid="run-grid"] tbody tr')} === ${tasks} && ${count('[data-testid="run-duration-chart"] .duration-bar')} > 0`,
  },
  {
    name: 'run',
    page: 'run page: its task instances',
    path: (dag, runId) => `/dags/${dag.dagId}/runs/${encodeURIComponent(runId)}`,
    ready: (tasks) => `${count('[data-testid="task-instances"] tbody tr')} === ${tasks}`,
  },
  {
    name: 'gantt',
    page: 'run page: Gantt (retried TIs with their tries)',
    path: (dag, runId) => `/dags/${dag.dagId}/runs/${encodeURIComponent(runId)}?tab=gantt`,
    ready: (tasks) => `${count('.gantt-row')} === ${tasks}`,
  },
  {
    name: 'graph',
    page: 'DAG graph coloured by a run',
    path: (dag, runId) => `/dags/${dag.dagId}/graph?run=${encodeURIComponent(runId)}`,
    ready: (tasks) => `${count('[data-testid^="task-node-"]:not([data-state=""])')} === ${tasks}`,
  },
];

export async function uiPageLoadScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  execFileSync(process.execPath, [BUILD_UI, '--strict'], { stdio: 'inherit' });
  const repeats = options.quick ? 3 : 7;
  const test: TestDatabase = await createTestDatabase(dialect, { postgresUrl: options.postgresUrl });
  const home = mkdtempSync(join(tmpdir(), 'tidemark-bench-ui-'));
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const now = Date.now();
    const wide = layeredDag('bench_ui_wide', TASKS);
    const small = layeredDag('bench_ui_small', 3);
    const seeded = Date.now();
    await seedDag(test.database.db, wide, now);
    await seedDag(test.database.db, small, now);
    const shape = { firstLogicalDate: now - (RUNS + 1) * HOUR, intervalMs: HOUR, taskMs: 2_000 };
    const wideRuns = await seedRunHistory(test.database.db, wide, {
      ...shape,
      runs: RUNS,
      failEvery: 10,
      retryEvery: 40,
    });
    const smallRuns = await seedRunHistory(test.database.db, small, { ...shape, runs: 1 });
    await createUserAccount(test.database, { ...USER, role: 'viewer' });
    process.stderr.write(`  seeded ${RUNS} runs × ${TASKS} tasks in ${Date.now() - seeded} ms\n`);

    const port = await freePort();
    server = spawn(process.execPath, [BIN, 'api-server'], {
      env: {
        PATH: process.env.PATH ?? '',
        TIDEMARK_HOME: home,
        TIDEMARK_DATABASE__URL: test.url,
        TIDEMARK_API__PORT: String(port),
        TIDEMARK_LOGGING__LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitForHealth(origin, server);
    const token = await signIn(origin);
    browser = await launchBrowser();

    // The newest run that succeeded (every tenth failed, the newest among them): its 5 retried TIs
    // make the Gantt fetch their tries.
    const newest = (runs: readonly { runId: string }[]) => runs.at(runs.length === 1 ? -1 : -2)?.runId ?? '';
    const rows: BenchRow[] = [];
    for (const check of PAGES) {
      const load = (dag: SerializedDag, runId: string, shot?: string) =>
        measureLoads(browser as Browser, origin, token, {
          path: check.path(dag, runId),
          ready: check.ready(dag.tasks.length),
          repeats,
          ...(shot && SCREENSHOTS ? { screenshot: join(SCREENSHOTS, `ui-load-${shot}.png`) } : {}),
        });
      const smallMs = await load(small, newest(smallRuns));
      const wideMs = await load(wide, newest(wideRuns), check.name);
      rows.push({
        id: '10',
        scenario: `UI ${check.page}, ${TASKS} tasks × ${RUNS} runs`,
        dialect,
        measure: `navigation → content drawn, median (min–max) of ${repeats} cold loads`,
        value: `${Math.round(median(wideMs))} ms (${Math.round(Math.min(...wideMs))}–${Math.round(Math.max(...wideMs))})`,
        baseline: `3 tasks × 1 run: ${Math.round(median(smallMs))} ms`,
        ratio: `${(median(wideMs) / median(smallMs)).toFixed(2)}×`,
        target: '—',
        met: null,
      });
    }
    return rows;
  } finally {
    await browser?.close();
    if (server) await stopProcess(server);
    await test.destroy();
    rmSync(home, { recursive: true, force: true });
  }
}

async function signIn(origin: string): Promise<string> {
  const response = await fetch(`${origin}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(USER),
  });
  if (!response.ok) throw new Error(`POST /auth/token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Loads `path` `repeats` times, each in a new browser context (empty cache, the session token put
 * where the UI keeps it before its first script runs); the page's `performance.now()` (ms since the
 * navigation started) when `ready` first holds.
 */
async function measureLoads(
  browser: Browser,
  origin: string,
  token: string,
  load: { path: string; ready: string; repeats: number; screenshot?: string },
): Promise<number[]> {
  const { path, ready, repeats } = load;
  const times: number[] = [];
  // One load more than measured: the first warms the api-server (its first queries of this page).
  for (let attempt = -1; attempt < repeats; attempt++) {
    const context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 } });
    try {
      await context.addInitScript(`localStorage.setItem('tidemark.session.token', ${JSON.stringify(token)})`);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(path, { waitUntil: 'commit' });
      const handle = await page.waitForFunction(`(${ready}) ? performance.now() : false`, undefined, {
        polling: 'raf',
        timeout: 120_000,
      });
      if (attempt >= 0) times.push(Number(await handle.jsonValue()));
      if (load.screenshot && attempt === repeats - 1) await page.screenshot({ path: load.screenshot, fullPage: true });
      if (errors.length > 0) throw new Error(`${path}: ${errors.join('; ')}`);
    } finally {
      await context.close();
    }
  }
  return times;
}
