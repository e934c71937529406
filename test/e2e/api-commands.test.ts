import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TidemarkProcess, tidemarkNodeArgs } from '@tidemark/cli/testing';
import type { DialectName } from '@tidemark/db';
import { eachDialect, freePort, waitUntil } from '@tidemark/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_DAGS, E2eEnvironment } from './support/e2e-environment.ts';

/**
 * The API commands (`login`, `dags`, `runs`, `tasks`, `assets`) as a user runs them: the real
 * binary as a subprocess, against a real standalone (api-server, scheduler, worker) per dialect.
 */

const SDK = pathToFileURL(join(import.meta.dirname, '..', '..', 'packages', 'sdk', 'src', 'index.ts')).href;
const ADMIN_PASSWORD = 'cli-admin-password';
const SLOW = 90_000;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function tidemark(args: readonly string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      tidemarkNodeArgs(args),
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 80_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Exactly one line on stderr, nothing on stdout, the given exit code. */
function expectOneLineError(result: Result, code: number, pattern: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.code).toBe(code);
}

/** The rows of a printed table as `{HEADER: cell}`, checking that every cell starts under its header. */
function parseTable(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  const names = [...(header as string).matchAll(/\S+/g)].map((match) => ({ name: match[0], at: match.index }));
  return lines.map((line) => {
    const row: Record<string, string> = {};
    names.forEach(({ name, at }, index) => {
      const next = names[index + 1];
      const cell = line.slice(at, next ? next.at : undefined);
      row[name] = cell.trim();
    });
    return row;
  });
}

/** DAG files of this test: a DAG that fails, one that produces an asset, and three of the e2e DAGs. */
function writeDagsFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-cli-dags-'));
  // Without it, tsx would load these files (outside any package) as CommonJS in the task process.
  writeFileSync(join(folder, 'package.json'), '{"type": "module"}\n');
  for (const name of ['e2e_chain.ts', 'e2e_wide.ts', 'e2e_slow.ts'])
    symlinkSync(join(E2E_DAGS, name), join(folder, name));
  writeFileSync(
    join(folder, 'cli_failing.ts'),
    `import { dag } from '${SDK}';
const failing = dag('cli_failing', { defaults: { retries: 0 } });
const boom = failing.task('boom', async () => {
  throw new Error('planned failure of cli_failing');
});
boom.then(failing.task('after', async () => 'never'));
export default failing;
`,
  );
  writeFileSync(
    join(folder, 'cli_assets.ts'),
    `import { asset, dag } from '${SDK}';
const orders = asset('cli_orders', { uri: 'file:///data/cli_orders.csv' });
const producer = dag('cli_assets', { defaults: { retries: 0 } });
producer.task('publish', async () => 'published', { outlets: [orders] });
export default producer;
`,
  );
  return folder;
}

/** A standalone with the test's DAGs, and the environment of CLI calls logged in to it (by `tidemark login`). */
function useStandalone(dialect: DialectName) {
  const context = {} as {
    world: E2eEnvironment;
    server: TidemarkProcess;
    dagsFolder: string;
    cli: Record<string, string>;
  };
  beforeAll(async () => {
    context.dagsFolder = writeDagsFolder();
    context.world = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: context.dagsFolder,
      TIDEMARK_API__ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    context.server = TidemarkProcess.start(['standalone'], context.world.env);
    await context.server.waitFor(/Tidemark is running at http/);
    for (const dagId of ['e2e_chain', 'e2e_wide', 'e2e_slow', 'cli_failing', 'cli_assets']) {
      await context.world.waitForDag(dagId);
    }
    context.cli = { TIDEMARK_HOME: context.world.home, TIDEMARK_API_URL: context.world.apiUrl };
    const login = await tidemark(['login', '--username', 'admin', '--password', ADMIN_PASSWORD], context.cli);
    expect(login).toMatchObject({ code: 0, stderr: '' });
  }, SLOW);
  afterAll(async () => {
    await context.server?.stop();
    await context.world?.destroy();
    if (context.dagsFolder) rmSync(context.dagsFolder, { recursive: true, force: true });
  });
  return context;
}

function scratchHome(): string {
  return mkdtempSync(join(tmpdir(), 'tidemark-cli-home-'));
}

// Every command on SQLite; a tour of the commands that read and change runs on PostgreSQL (the CLI
// itself does not depend on the dialect; the tour proves the routes it relies on answer alike).
describe.runIf(eachDialect().includes('sqlite'))(
  'tidemark API commands on sqlite (real binary, real standalone)',
  () => {
    const context = useStandalone('sqlite');
    let world: E2eEnvironment;
    let cli: Record<string, string>;
    beforeAll(() => {
      world = context.world;
      cli = context.cli;
    });

    it('refuses to call the API before login, in one line, and says when it cannot reach it', async () => {
      const home = scratchHome();
      try {
        const fresh = { ...cli, TIDEMARK_HOME: home };
        const [notLoggedIn, unreachable, noPassword, wrongPassword] = await Promise.all([
          tidemark(['dags', 'list'], fresh),
          freePort().then((port) =>
            tidemark(['runs', 'list', 'e2e_wide', '--api-url', `http://127.0.0.1:${port}`], {
              ...fresh,
              TIDEMARK_API_TOKEN: 'anything',
            }),
          ),
          tidemark(['login', '--username', 'admin'], fresh),
          tidemark(['login', '--username', 'admin', '--password', 'not-the-password'], fresh),
        ]);
        expectOneLineError(
          notLoggedIn,
          1,
          new RegExp(`^tidemark: not logged in to ${world.apiUrl}; run "tidemark login" or set TIDEMARK_API_TOKEN\\n$`),
        );
        expectOneLineError(
          unreachable,
          1,
          /^tidemark: cannot reach the api-server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is it running\? \(--api-url \/ TIDEMARK_API_URL\)\n$/,
        );
        expectOneLineError(noPassword, 2, /^tidemark: no password: pass --password, set TIDEMARK_PASSWORD/);
        expectOneLineError(wrongPassword, 1, /^tidemark: wrong username or password\n$/);
        expect(existsSync(join(home, 'credentials.json'))).toBe(false);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });

    it('logs in, saving the token readable by its owner only, then lists DAGs as a table and as JSON', async () => {
      const home = scratchHome();
      try {
        const mine = { TIDEMARK_HOME: home, TIDEMARK_API_URL: world.apiUrl };
        const login = await tidemark(['login', '--username', 'admin'], { ...mine, TIDEMARK_PASSWORD: ADMIN_PASSWORD });
        expect(login).toMatchObject({ code: 0, stderr: '' });
        expect(login.stdout).toMatch(new RegExp(`^Logged in to ${world.apiUrl} as admin until `));
        const path = join(home, 'credentials.json');
        expect(statSync(path).mode & 0o777).toBe(0o600);
        const saved = JSON.parse(readFileSync(path, 'utf8'));
        expect(saved).toEqual({
          api_url: world.apiUrl,
          token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
          expires_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          username: 'admin',
        });
        expect(Date.parse(saved.expires_at)).toBeGreaterThan(Date.now());

        const [table, json] = await Promise.all([
          tidemark(['dags', 'list'], mine),
          tidemark(['dags', 'list', '--json'], mine),
        ]);
        expect(table).toMatchObject({ code: 0, stderr: '' });
        const rows = parseTable(table.stdout);
        expect(rows.map((row) => row.DAG_ID)).toEqual([
          'cli_assets',
          'cli_failing',
          'e2e_chain',
          'e2e_slow',
          'e2e_wide',
        ]);
        expect(rows.every((row) => row.PAUSED === 'no' && row.SCHEDULE === '-')).toBe(true);

        expect(json).toMatchObject({ code: 0, stderr: '' });
        const body = JSON.parse(json.stdout);
        expect(body.total_entries).toBe(5);
        expect(body.dags.map((dag: { dag_id: string }) => dag.dag_id)).toEqual(rows.map((row) => row.DAG_ID));
        expect(body.dags[0]).toMatchObject({ dag_id: 'cli_assets', is_paused: false, fileloc: 'cli_assets.ts' });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }

      const page = await tidemark(['dags', 'list', '--limit', '2', '--offset', '1'], cli);
      expect(parseTable(page.stdout.split('\n(')[0] as string).map((row) => row.DAG_ID)).toEqual([
        'cli_failing',
        'e2e_chain',
      ]);
      expect(page.stdout).toContain('(2-3 of 5; see --limit and --offset)');
    });

    it('shows a DAG with its tasks', async () => {
      const [shown, json] = await Promise.all([
        tidemark(['dags', 'show', 'e2e_wide'], cli),
        tidemark(['dags', 'show', 'e2e_wide', '--json'], cli),
      ]);
      expect(shown).toMatchObject({ code: 0, stderr: '' });
      const [fields, tasks] = shown.stdout.split('\n\n');
      expect(fields).toMatch(/^dag_id: {7}e2e_wide$/m);
      expect(fields).toMatch(/^paused: {7}no$/m);
      expect(fields).toMatch(/^schedule: {5}none \(triggered by hand\)$/m);
      expect(parseTable(tasks as string).map((row) => [row.TASK_ID, row.UPSTREAM, row.MAPPED_OVER])).toEqual([
        ['start', '-', '-'],
        ['each', 'start', 'start'],
        ['end', 'each', '-'],
      ]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        dag_id: 'e2e_wide',
        tasks: [{ task_id: 'start' }, { task_id: 'each', map_over: 'start' }, { task_id: 'end' }],
      });
    });

    it(
      'triggers with --conf and --wait: progress lines, exit 0 once the run succeeded',
      async () => {
        const result = await tidemark(
          ['dags', 'trigger', 'e2e_wide', '--conf', '{"items": 3}', '--run-id', 'wide-cli', '--wait'],
          cli,
        );
        expect(result).toMatchObject({ code: 0, stderr: '' });
        const lines = result.stdout.trimEnd().split('\n');
        expect(lines[0]).toBe('Triggered run wide-cli of DAG e2e_wide; waiting for it to finish.');
        expect(lines.slice(1, -1).every((line) => /^\[ *\d+\.\d+s\] e2e_wide wide-cli \w+: /.test(line))).toBe(true);
        expect(lines.at(-2)).toMatch(/\] e2e_wide wide-cli success: 5 success$/);
        expect(lines.at(-1)).toMatch(/^Run wide-cli of DAG e2e_wide succeeded in \d+\.\ds \(5 success\)\.$/);

        expect(await world.runState('e2e_wide', 'wide-cli')).toBe('success');
        const tis = await world.taskInstances('e2e_wide', 'wide-cli');
        expect(tis.map((ti) => `${ti.task_id}:${ti.map_index}:${ti.state}`)).toEqual([
          'each:0:success',
          'each:1:success',
          'each:2:success',
          'end:-1:success',
          'start:-1:success',
        ]);
        expect(await world.xcom('e2e_wide', 'wide-cli', 'end')).toBe(3); // conf.items reached the tasks
      },
      SLOW,
    );

    it(
      'trigger --wait exits 1 when the run fails, naming the failed task',
      async () => {
        const result = await tidemark(['dags', 'trigger', 'cli_failing', '--run-id', 'fail-1', '--wait'], cli);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^Run fail-1 of DAG cli_failing failed in .*\(1 failed, 1 upstream_failed\)\.$/m);
        expect(result.stdout).toContain('  failed: boom (try 1; see: tidemark tasks logs cli_failing fail-1 boom)\n');
        expect(result.stdout).toContain('  upstream_failed: after\n');
        expect(await world.runState('cli_failing', 'fail-1')).toBe('failed');
        // It failed for the planned reason (not, say, because its file did not load).
        const log = await tidemark(['tasks', 'logs', 'cli_failing', 'fail-1', 'boom'], cli);
        expect(log.stdout).toContain('planned failure of cli_failing');
      },
      SLOW,
    );

    it('reports API errors and usage errors in one line, with exit codes 1 and 2', async () => {
      const before = JSON.parse((await tidemark(['runs', 'list', 'e2e_chain', '--json'], cli)).stdout).total_entries;
      const [unknownDag, missingRun, badJson, notObject, badLimit, badState, unknownOption] = await Promise.all([
        tidemark(['dags', 'trigger', 'no_such_dag'], cli),
        tidemark(['runs', 'show', 'e2e_wide', 'no-such-run'], cli),
        tidemark(['dags', 'trigger', 'e2e_chain', '--conf', '{"items": '], cli),
        tidemark(['dags', 'trigger', 'e2e_chain', '--conf', '[1, 2]'], cli),
        tidemark(['runs', 'list', 'e2e_chain', '--limit', 'many'], cli),
        tidemark(['tasks', 'mark', 'e2e_chain', 'r', 'extract', 'running'], cli),
        tidemark(['dags', 'list', '--bogus'], cli),
      ]);
      expectOneLineError(unknownDag, 1, /^tidemark: DAG "no_such_dag" does not exist/);
      expectOneLineError(missingRun, 1, /^tidemark: DAG run "no-such-run" of DAG "e2e_wide" does not exist\n$/);
      expectOneLineError(badJson, 2, /^tidemark: --conf is not valid JSON: /);
      expectOneLineError(notObject, 2, /^tidemark: --conf must be a JSON object .*not an array\n$/);
      expectOneLineError(badLimit, 2, /^tidemark: option '--limit <n>' argument 'many' is invalid/);
      expectOneLineError(badState, 2, /^tidemark: .*'running' is invalid .*Allowed choices are success, failed/);
      expectOneLineError(unknownOption, 2, /^tidemark: unknown option '--bogus'\n$/);
      const after = JSON.parse((await tidemark(['runs', 'list', 'e2e_chain', '--json'], cli)).stdout).total_entries;
      expect(after).toBe(before);
    });

    it('pauses and unpauses a DAG, as dags list --json shows', async () => {
      const paused = (dagsJson: string) =>
        JSON.parse(dagsJson).dags.find((dag: { dag_id: string }) => dag.dag_id === 'e2e_chain').is_paused;

      const pause = await tidemark(['dags', 'pause', 'e2e_chain'], cli);
      expect(pause).toMatchObject({ code: 0, stdout: 'DAG e2e_chain is paused.\n', stderr: '' });
      expect(paused((await tidemark(['dags', 'list', '--json'], cli)).stdout)).toBe(true);
      expect(
        parseTable((await tidemark(['dags', 'list'], cli)).stdout).find((row) => row.DAG_ID === 'e2e_chain'),
      ).toMatchObject({ PAUSED: 'yes' });

      const unpause = await tidemark(['dags', 'unpause', 'e2e_chain'], cli);
      expect(unpause).toMatchObject({ code: 0, stdout: 'DAG e2e_chain is unpaused.\n', stderr: '' });
      expect(paused((await tidemark(['dags', 'list', '--json'], cli)).stdout)).toBe(false);
    });

    it(
      'lists, shows and deletes runs',
      async () => {
        const trigger = await tidemark(['dags', 'trigger', 'e2e_chain', '--run-id', 'chain-del'], cli);
        expect(trigger).toMatchObject({ code: 0, stdout: 'Triggered run chain-del of DAG e2e_chain (queued).\n' });
        await world.waitForRunFinished('e2e_chain', 'chain-del');

        const [table, json, failedOnly, shown] = await Promise.all([
          tidemark(['runs', 'list', 'e2e_chain'], cli),
          tidemark(['runs', 'list', 'e2e_chain', '--json'], cli),
          tidemark(['runs', 'list', 'e2e_chain', '--state', 'failed'], cli),
          tidemark(['runs', 'show', 'e2e_chain', 'chain-del'], cli),
        ]);
        expect(parseTable(table.stdout)).toEqual([
          expect.objectContaining({ RUN_ID: 'chain-del', STATE: 'success', TYPE: 'manual', TASKS: '3 success' }),
        ]);
        expect(JSON.parse(json.stdout)).toMatchObject({
          total_entries: 1,
          dag_runs: [{ dag_run_id: 'chain-del', state: 'success', task_instance_states: { success: 3, failed: 0 } }],
        });
        expect(failedOnly).toMatchObject({ code: 0, stdout: 'No runs of DAG e2e_chain in state failed.\n' });
        const [fields, tis] = shown.stdout.split('\n\n');
        expect(fields).toMatch(/^run_id: {8}chain-del$/m);
        expect(fields).toMatch(/^state: {9}success$/m);
        expect(parseTable(tis as string).map((row) => `${row.TASK_ID} ${row.STATE} ${row.TRY}`)).toEqual([
          'extract success 1/1',
          'load success 1/1',
          'transform success 1/1',
        ]);

        const deleted = await tidemark(['runs', 'delete', 'e2e_chain', 'chain-del'], cli);
        expect(deleted).toMatchObject({ code: 0, stdout: 'Deleted run chain-del of DAG e2e_chain.\n', stderr: '' });
        expect(await world.runState('e2e_chain', 'chain-del')).toBeUndefined();
        expectOneLineError(
          await tidemark(['runs', 'delete', 'e2e_chain', 'chain-del'], cli),
          1,
          /^tidemark: DAG run "chain-del" of DAG "e2e_chain" does not exist\n$/,
        );
      },
      SLOW,
    );

    it('lists task instances and prints their logs', async () => {
      const [table, json, startLog, mappedLog, needsMapIndex, noSuchTry] = await Promise.all([
        tidemark(['tasks', 'list', 'e2e_wide', 'wide-cli'], cli),
        tidemark(['tasks', 'list', 'e2e_wide', 'wide-cli', '--json'], cli),
        tidemark(['tasks', 'logs', 'e2e_wide', 'wide-cli', 'start'], cli),
        tidemark(['tasks', 'logs', 'e2e_wide', 'wide-cli', 'each', '--map-index', '2', '--try', '1'], cli),
        tidemark(['tasks', 'logs', 'e2e_wide', 'wide-cli', 'each'], cli),
        tidemark(['tasks', 'logs', 'e2e_wide', 'wide-cli', 'start', '--try', '2'], cli),
      ]);
      expect(parseTable(table.stdout).map((row) => `${row.TASK_ID} ${row.MAP_INDEX} ${row.STATE} ${row.TRY}`)).toEqual([
        'each 0 success 1/1',
        'each 1 success 1/1',
        'each 2 success 1/1',
        'end - success 1/1',
        'start - success 1/1',
      ]);
      const body = JSON.parse(json.stdout);
      expect(body.total_entries).toBe(5);
      expect(body.task_instances[0]).toMatchObject({ task_id: 'each', map_index: 0, dag_run_id: 'wide-cli' });

      expect(startLog).toMatchObject({ code: 0, stderr: '' });
      expect(startLog.stdout).toContain(
        '[supervisor] starting attempt 1 of 1 of task start (DAG e2e_wide, run wide-cli)',
      );
      expect(startLog.stdout).toContain('[supervisor] task succeeded');
      expect(mappedLog.stdout).toContain('[supervisor] starting attempt 1 of 1 of task each [2]');
      expectOneLineError(needsMapIndex, 1, /^tidemark: task "each" is mapped: it has 3 task instances/);
      expectOneLineError(noSuchTry, 1, /^tidemark: no log for try 2 of task "start"/);
    });

    it(
      'clears task instances: --dry-run lists them and changes nothing; a real clear runs them again',
      async () => {
        const before = await world.taskInstances('e2e_wide', 'wide-cli');
        const dryRun = await tidemark(
          ['tasks', 'clear', 'e2e_wide', '--run-id', 'wide-cli', '--task-id', 'start', 'end', '--dry-run'],
          cli,
        );
        expect(dryRun).toMatchObject({ code: 0, stderr: '' });
        const [title, ...rest] = dryRun.stdout.split('\n');
        expect(title).toBe('Would clear 2 task instances:');
        expect(parseTable(rest.join('\n')).map((row) => `${row.TASK_ID} ${row.STATE}`)).toEqual([
          'end success',
          'start success',
        ]);
        const json = await tidemark(['tasks', 'clear', 'e2e_wide', '--task-id', 'each', '--dry-run', '--json'], cli);
        expect(JSON.parse(json.stdout).task_instances).toHaveLength(3);
        expect(await world.taskInstances('e2e_wide', 'wide-cli')).toEqual(before);
        expect(await world.runState('e2e_wide', 'wide-cli')).toBe('success');

        const cleared = await tidemark(['tasks', 'clear', 'cli_failing', '--run-id', 'fail-1', '--only-failed'], cli);
        expect(cleared).toMatchObject({ code: 0, stderr: '' });
        expect(cleared.stdout).toMatch(/^Cleared 2 task instances:\n/);
        // boom runs (and fails) again, its second try
        await waitUntil(
          async () =>
            (await world.taskInstances('cli_failing', 'fail-1')).find((ti) => ti.task_id === 'boom')?.try_number === 2,
          'boom to run again',
          60_000,
        );
      },
      SLOW,
    );

    it('marks task instances success or failed', async () => {
      const [failed, mapped] = await Promise.all([
        tidemark(['tasks', 'mark', 'e2e_wide', 'wide-cli', 'end', 'failed'], cli),
        tidemark(['tasks', 'mark', 'e2e_wide', 'wide-cli', 'each', 'failed', '--map-index', '1', '--json'], cli),
      ]);
      expect(failed).toMatchObject({ code: 0, stdout: 'Marked task end of run wide-cli failed.\n', stderr: '' });
      expect(JSON.parse(mapped.stdout)).toMatchObject({ task_id: 'each', map_index: 1, state: 'failed' });
      const states = (await world.taskInstances('e2e_wide', 'wide-cli')).map(
        (ti) => `${ti.task_id}:${ti.map_index}:${ti.state}`,
      );
      expect(states).toContain('end:-1:failed');
      expect(states).toContain('each:1:failed');

      const success = await tidemark(['tasks', 'mark', 'e2e_wide', 'wide-cli', 'end', 'success'], cli);
      expect(success.stdout).toBe('Marked task end of run wide-cli success.\n');
      expect((await world.taskInstances('e2e_wide', 'wide-cli')).find((ti) => ti.task_id === 'end')?.state).toBe(
        'success',
      );
    });

    it(
      'lists assets and asset events',
      async () => {
        const none = await tidemark(['assets', 'events'], cli);
        expect(none).toMatchObject({ code: 0, stdout: 'No asset events.\n' });
        const run = await tidemark(['dags', 'trigger', 'cli_assets', '--run-id', 'assets-1', '--wait'], cli);
        expect(run.code).toBe(0);

        const [assets, assetsJson, events, eventsJson] = await Promise.all([
          tidemark(['assets', 'list'], cli),
          tidemark(['assets', 'list', '--json'], cli),
          tidemark(['assets', 'events'], cli),
          tidemark(['assets', 'events', '--json'], cli),
        ]);
        expect(parseTable(assets.stdout)).toEqual([
          expect.objectContaining({
            NAME: 'cli_orders',
            URI: 'file:///data/cli_orders.csv',
            PRODUCED_BY: 'cli_assets.publish',
          }),
        ]);
        const asset = JSON.parse(assetsJson.stdout);
        expect(asset).toMatchObject({ total_entries: 1, assets: [{ name: 'cli_orders' }] });
        const assetId = asset.assets[0].id as number;
        expect(parseTable(events.stdout)).toEqual([
          expect.objectContaining({ ASSET: 'cli_orders', SOURCE: 'task cli_assets/assets-1/publish' }),
        ]);
        expect(JSON.parse(eventsJson.stdout)).toMatchObject({
          total_entries: 1,
          asset_events: [{ asset_id: assetId, source_dag_id: 'cli_assets', source_run_id: 'assets-1' }],
        });
        const [mine, other] = await Promise.all([
          tidemark(['assets', 'events', '--asset-id', String(assetId), '--json'], cli),
          tidemark(['assets', 'events', '--asset-id', String(assetId + 1000)], cli),
        ]);
        expect(JSON.parse(mine.stdout).total_entries).toBe(1);
        expect(other.stdout).toBe(`No events of asset ${assetId + 1000}.\n`);

        const emitted = await tidemark(['assets', 'emit', 'cli_orders', '--extra', '{"file": "o-2.csv"}'], cli);
        expect(emitted).toMatchObject({ code: 0, stderr: '' });
        expect(emitted.stdout).toMatch(/^asset event \d+ of "cli_orders" recorded\n$/);
        const [notObject, unknown, afterEmit] = await Promise.all([
          tidemark(['assets', 'emit', 'cli_orders', '--extra', '[1, 2]'], cli),
          tidemark(['assets', 'emit', 'no_such_asset'], cli),
          tidemark(['assets', 'events', '--asset-id', String(assetId), '--json'], cli),
        ]);
        expect(notObject).toMatchObject({ code: 2, stdout: '' });
        expect(notObject.stderr).toBe(
          `tidemark: --extra must be a JSON object such as '{"key": "value"}', not an array\n`,
        );
        expect(unknown.code).not.toBe(0);
        expect(unknown.stderr).toBe(
          'tidemark: no asset named "no_such_asset"; "tidemark assets list" shows the assets\n',
        );
        const listed = JSON.parse(afterEmit.stdout);
        expect(listed.total_entries).toBe(2);
        expect(listed.asset_events[0]).toMatchObject({ source_kind: 'api', extra: { file: 'o-2.csv' } });
      },
      SLOW,
    );

    it('uses TIDEMARK_API_TOKEN over the saved login, and refuses a login saved for another server', async () => {
      const token = JSON.parse(readFileSync(join(world.home, 'credentials.json'), 'utf8')).token as string;
      const home = scratchHome();
      try {
        const [withToken, badToken, elsewhere] = await Promise.all([
          tidemark(['dags', 'list', '--json'], {
            TIDEMARK_HOME: home,
            TIDEMARK_API_URL: world.apiUrl,
            TIDEMARK_API_TOKEN: token,
          }),
          tidemark(['dags', 'list'], { ...cli, TIDEMARK_API_TOKEN: 'not-a-token' }),
          tidemark(['dags', 'list', '--api-url', 'http://127.0.0.1:9'], cli),
        ]);
        expect(JSON.parse(withToken.stdout).total_entries).toBe(5);
        expectOneLineError(
          badToken,
          1,
          /^tidemark: invalid token: .*; run "tidemark login" or set TIDEMARK_API_TOKEN\n$/,
        );
        expectOneLineError(
          elsewhere,
          1,
          new RegExp(`^tidemark: not logged in to http://127.0.0.1:9 \\(the saved login is for ${world.apiUrl}\\)`),
        );
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  },
);

describe.runIf(eachDialect().includes('postgres'))('tidemark API commands on postgres (a tour)', () => {
  const context = useStandalone('postgres');

  it(
    'triggers and waits, lists and shows runs and task instances, clears, marks and deletes',
    async () => {
      const { world, cli } = context;
      const [succeeded, failed] = await Promise.all([
        tidemark(['dags', 'trigger', 'e2e_wide', '--conf', '{"items": 2}', '--run-id', 'pg-wide', '--wait'], cli),
        tidemark(['dags', 'trigger', 'cli_failing', '--run-id', 'pg-fail', '--wait'], cli),
      ]);
      expect(succeeded).toMatchObject({ code: 0, stderr: '' });
      expect(succeeded.stdout).toMatch(/^Run pg-wide of DAG e2e_wide succeeded in .* \(4 success\)\.$/m);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('  failed: boom (try 1; see: tidemark tasks logs cli_failing pg-fail boom)');
      expect(await world.runState('e2e_wide', 'pg-wide')).toBe('success');
      expect(await world.runState('cli_failing', 'pg-fail')).toBe('failed');

      const [runs, tis, log, dryRun] = await Promise.all([
        tidemark(['runs', 'list', 'e2e_wide', '--json'], cli),
        tidemark(['tasks', 'list', 'e2e_wide', 'pg-wide'], cli),
        tidemark(['tasks', 'logs', 'e2e_wide', 'pg-wide', 'start'], cli),
        tidemark(['tasks', 'clear', 'e2e_wide', '--run-id', 'pg-wide', '--dry-run', '--json'], cli),
      ]);
      expect(JSON.parse(runs.stdout)).toMatchObject({ total_entries: 1, dag_runs: [{ dag_run_id: 'pg-wide' }] });
      expect(parseTable(tis.stdout).map((row) => `${row.TASK_ID} ${row.MAP_INDEX} ${row.STATE}`)).toEqual([
        'each 0 success',
        'each 1 success',
        'end - success',
        'start - success',
      ]);
      expect(log.stdout).toContain('[supervisor] starting attempt 1 of 1 of task start (DAG e2e_wide, run pg-wide)');
      expect(JSON.parse(dryRun.stdout).task_instances).toHaveLength(4);
      expect((await world.taskInstances('e2e_wide', 'pg-wide')).every((ti) => ti.state === 'success')).toBe(true);

      const marked = await tidemark(['tasks', 'mark', 'e2e_wide', 'pg-wide', 'end', 'failed'], cli);
      expect(marked.stdout).toBe('Marked task end of run pg-wide failed.\n');
      expect((await world.taskInstances('e2e_wide', 'pg-wide')).find((ti) => ti.task_id === 'end')?.state).toBe(
        'failed',
      );
      const deleted = await tidemark(['runs', 'delete', 'e2e_wide', 'pg-wide'], cli);
      expect(deleted).toMatchObject({ code: 0, stdout: 'Deleted run pg-wide of DAG e2e_wide.\n' });
      expect(await world.runState('e2e_wide', 'pg-wide')).toBeUndefined();
    },
    SLOW,
  );
});
