import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTidemark, TidemarkProcess } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

/**
 * Task state through real runs (SPEC §3, §7): a retry keeps it, a clear discards it unless told to
 * keep it, the size limit holds on both APIs, and a zombie's writes are fenced off once its retry
 * has started. Real processes, the real `tidemark` binary for the CLI.
 */
describe.each(eachDialect())('task state lifecycle end to end on %s', (dialect) => {
  const processes: TidemarkProcess[] = [];
  let env: E2eEnvironment | undefined;
  const scratch: string[] = [];

  afterEach(async () => {
    for (const process of processes) if (process.child.exitCode === null) process.kill('SIGCONT');
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await env?.destroy();
    env = undefined;
    for (const folder of scratch.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** Every version of `last_writer` (the test's only run has it), oldest first. */
  async function lastWriters(world: E2eEnvironment) {
    const rows = await world.database.db
      .selectFrom('state_history')
      .select(['version', 'value'])
      .where('key', '=', 'last_writer')
      .orderBy('version')
      .execute();
    return rows.map((row) => JSON.parse(row.value ?? 'null') as { try: number; i: number });
  }

  it('retry keeps task state; a clear discards it unless --keep-task-state; 413 on both APIs', {
    timeout: 120_000,
  }, async () => {
    env = await E2eEnvironment.create(dialect, { TIDEMARK_STATE__MAX_VALUE_BYTES: '1000' });
    const world = env;
    const standalone = TidemarkProcess.start(['standalone'], world.env);
    processes.push(standalone);
    await standalone.waitFor(/Tidemark is running at http/);
    await world.waitForDag('e2e_stateful');
    const cli = await cliAs(world);
    const counter = ['--dag', 'e2e_stateful', '--run', 'state-1', '--task', 'counter'];

    await triggerDagRun(world.database, {
      dagId: 'e2e_stateful',
      runId: 'state-1',
      conf: { fail_first_try: true, big_bytes: 5_000 },
    });
    expect(await world.waitForRunFinished('e2e_stateful', 'state-1')).toBe('success');
    const [ti] = await world.taskInstances('e2e_stateful', 'state-1');
    expect(ti?.try_number).toBe(2);
    const firstRun = (await world.xcom('e2e_stateful', 'state-1', 'counter')) as { count: number; refused: string };
    expect(firstRun.count).toBe(2);
    expect(firstRun.refused).toMatch(/over the limit of 1000 bytes \(state\.max_value_bytes\)/);

    const read = await cli('state', 'get', 'count', ...counter, '--json');
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ key: 'count', value: 2, version: 2 });
    const tooLarge = await cli('state', 'set', 'big', JSON.stringify('y'.repeat(5_000)), ...counter);
    expect(tooLarge.code).not.toBe(0);
    expect(tooLarge.stderr).toMatch(/1000 bytes \(state\.max_value_bytes\)/);
    expect(tooLarge.stderr).not.toMatch(/\n\s+at /);

    const rerun = async (...flags: string[]) => {
      const [before] = await world.taskInstances('e2e_stateful', 'state-1');
      const cleared = await cli('tasks', 'clear', 'e2e_stateful', '--run-id', 'state-1', ...flags);
      expect(cleared.code, cleared.stderr).toBe(0);
      // The rerun can finish between two looks at the run, so watch the TI's try number instead.
      await waitUntil(async () => {
        const [ti] = await world.taskInstances('e2e_stateful', 'state-1');
        return ti !== undefined && ti.try_number > (before?.try_number ?? 0) && ti.state === 'success';
      }, 'the cleared task to run again');
      expect(await world.waitForRunFinished('e2e_stateful', 'state-1')).toBe('success');
      return ((await world.xcom('e2e_stateful', 'state-1', 'counter')) as { count: number }).count;
    };
    expect(await rerun('--keep-task-state')).toBe(3);
    expect(await rerun()).toBe(1);
  });

  it('fences off a zombie: once its retry has started, the old attempt’s writes get 409 stale_attempt', {
    timeout: 120_000,
  }, async () => {
    env = await E2eEnvironment.create(dialect, { TIDEMARK_STATE__HISTORY_DEPTH: '10000' });
    const world = env;
    const migrate = TidemarkProcess.start(['db', 'migrate'], world.env);
    await migrate.exited;
    const server = TidemarkProcess.start(['api-server'], world.env);
    const scheduler = TidemarkProcess.start(['scheduler'], world.env);
    processes.push(server, scheduler);
    await server.waitFor(/listening at http/);
    const frozenWorker = TidemarkProcess.start(['worker', '--api-url', world.apiUrl], world.env);
    processes.push(frozenWorker);
    await world.waitForDag('e2e_fenced');

    const pids = mkdtempSync(join(tmpdir(), 'tidemark-pids-'));
    scratch.push(pids);
    await triggerDagRun(world.database, {
      dagId: 'e2e_fenced',
      runId: 'fenced-1',
      conf: { pid_dir: pids, write_ms: 60_000 },
    });
    await waitUntil(() => existsSync(join(pids, '1.pid')), 'try 1 to start');
    await waitUntil(async () => (await lastWriters(world)).length >= 3, 'try 1 to write');

    // The worker stops answering (a long GC pause, a frozen VM): its task process keeps running, but
    // nothing it sends gets through, and no heartbeat either.
    frozenWorker.kill('SIGSTOP');
    await waitUntil(
      async () => {
        const [ti] = await world.taskInstances('e2e_fenced', 'fenced-1');
        return ti && ti.try_number === 1 && ti.state !== 'running';
      },
      'the scheduler to fail the zombie',
      20_000,
    );
    const secondWorker = TidemarkProcess.start(['worker', '--api-url', world.apiUrl], world.env);
    processes.push(secondWorker);
    await waitUntil(async () => (await lastWriters(world)).some((writer) => writer.try === 2), 'try 2 to write');

    frozenWorker.kill('SIGCONT');
    expect(await world.waitForRunFinished('e2e_fenced', 'fenced-1')).toBe('success');
    await waitUntil(
      () => /no longer the running attempt/.test(frozenWorker.output + attemptLogOf(world, 1)),
      'the old attempt to be told it is stale',
    );

    const writers = await lastWriters(world);
    const firstOfTry2 = writers.findIndex((writer) => writer.try === 2);
    expect(firstOfTry2).toBeGreaterThan(0);
    expect(writers.slice(firstOfTry2).every((writer) => writer.try === 2)).toBe(true);
    const final = await world.database.db
      .selectFrom('task_state')
      .select('value')
      .where('run_id', '=', 'fenced-1')
      .where('key', '=', 'last_writer')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(final.value)).toEqual({ try: 2, i: 4 });
  });
});

function attemptLogOf(world: E2eEnvironment, tryNumber: number): string {
  const path = join(
    world.home,
    'logs',
    'dag_id=e2e_fenced',
    'run_id=fenced-1',
    'task_id=writer',
    'map_index=-1',
    `attempt=${tryNumber}.log`,
  );
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** `tidemark …` as the standalone's admin, through the real binary. */
async function cliAs(world: E2eEnvironment) {
  const password = readFileSync(join(world.home, 'admin-password'), 'utf8').trim();
  const response = await fetch(`${world.apiUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const { access_token: token } = (await response.json()) as { access_token: string };
  return (...args: string[]) =>
    runTidemark(args, { ...world.env, TIDEMARK_API_URL: world.apiUrl, TIDEMARK_API_TOKEN: token });
}
