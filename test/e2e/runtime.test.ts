import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TidemarkProcess } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

/** The attempt log the api-server writes (see packages/server attemptLogPath). */
function attemptLog(
  env: E2eEnvironment,
  dagId: string,
  runId: string,
  taskId: string,
  tryNumber: number,
  mapIndex = -1,
) {
  const path = join(
    env.home,
    'logs',
    `dag_id=${encodeURIComponent(dagId)}`,
    `run_id=${encodeURIComponent(runId)}`,
    `task_id=${encodeURIComponent(taskId)}`,
    `map_index=${mapIndex}`,
    `attempt=${tryNumber}.log`,
  );
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

describe.each(eachDialect())('runtime end to end on %s', (dialect) => {
  const processes: TidemarkProcess[] = [];
  let env: E2eEnvironment | undefined;
  const scratch: string[] = [];

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await env?.destroy();
    env = undefined;
    for (const folder of scratch.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  async function standalone(settings: Record<string, string> = {}) {
    env = await E2eEnvironment.create(dialect, settings);
    const process = TidemarkProcess.start(['standalone'], env.env);
    processes.push(process);
    await process.waitFor(/Tidemark is running at http/);
    return env;
  }

  function pidFolder() {
    const folder = mkdtempSync(join(tmpdir(), 'tidemark-pids-'));
    scratch.push(folder);
    return folder;
  }

  it('runs a three-task DAG to success, passing XComs along', async () => {
    const world = await standalone();
    await world.waitForDag('e2e_chain');
    await triggerDagRun(world.database, { dagId: 'e2e_chain', runId: 'chain-1' });
    expect(await world.waitForRunFinished('e2e_chain', 'chain-1')).toBe('success');
    const tis = await world.taskInstances('e2e_chain', 'chain-1');
    expect(tis.map((ti) => [ti.task_id, ti.state, ti.try_number])).toEqual([
      ['extract', 'success', 1],
      ['load', 'success', 1],
      ['transform', 'success', 1],
    ]);
    expect(await world.xcom('e2e_chain', 'chain-1', 'load')).toEqual({ loaded: 42 });
    expect(attemptLog(world, 'e2e_chain', 'chain-1', 'extract', 1)).toMatch(/supervisor/);
    // worker.max_attempts_per_process (default 100): the chain's later tasks run in a process used before.
    expect(attemptLog(world, 'e2e_chain', 'chain-1', 'load', 1)).toMatch(/task process reused \(pid \d+, attempt \d+/);
  });

  it('retries a failing task until it succeeds on try 3, and keeps no XCom of the failed tries', async () => {
    const world = await standalone();
    await world.waitForDag('e2e_flaky');
    await triggerDagRun(world.database, { dagId: 'e2e_flaky', runId: 'flaky-1' });
    expect(await world.waitForRunFinished('e2e_flaky', 'flaky-1')).toBe('success');
    const [ti] = await world.taskInstances('e2e_flaky', 'flaky-1');
    expect(ti).toMatchObject({ state: 'success', try_number: 3 });
    const xcoms = await world.database.db
      .selectFrom('xcom')
      .select(['key', 'value'])
      .where('run_id', '=', 'flaky-1')
      .execute();
    expect(xcoms).toEqual([{ key: 'return_value', value: JSON.stringify({ succeededOnTry: 3 }) }]);
    expect(attemptLog(world, 'e2e_flaky', 'flaky-1', 'flaky', 1)).toContain('planned failure on try 1');
  });

  it('kills a task over its execution timeout and retries it', async () => {
    const world = await standalone();
    await world.waitForDag('e2e_timeout');
    await triggerDagRun(world.database, { dagId: 'e2e_timeout', runId: 'timeout-1' });
    expect(await world.waitForRunFinished('e2e_timeout', 'timeout-1')).toBe('success');
    const [ti] = await world.taskInstances('e2e_timeout', 'timeout-1');
    expect(ti).toMatchObject({ state: 'success', try_number: 2 });
    expect(attemptLog(world, 'e2e_timeout', 'timeout-1', 'overrun', 1)).toMatch(/timed out/);
  });

  // Task processes are reused by default (worker.max_attempts_per_process); 1 is a process per attempt.
  it.each([
    ['reused task processes', {}],
    ['a task process per attempt', { TIDEMARK_WORKER__MAX_ATTEMPTS_PER_PROCESS: '1' }],
  ])('records a SIGKILL of the task process as a failure and retries it (%s)', async (_mode, settings) => {
    const world = await standalone(settings);
    await world.waitForDag('e2e_slow');
    const pids = pidFolder();
    await triggerDagRun(world.database, {
      dagId: 'e2e_slow',
      runId: 'kill-child-1',
      conf: { pid_dir: pids, slow_tries: [1], sleep_ms: 60_000 },
    });
    const pid = await waitUntil(
      () => existsSync(join(pids, '1.pid')) && Number(readFileSync(join(pids, '1.pid'), 'utf8')),
      'the first try to start',
    );
    process.kill(pid, 'SIGKILL');
    expect(await world.waitForRunFinished('e2e_slow', 'kill-child-1')).toBe('success');
    const [ti] = await world.taskInstances('e2e_slow', 'kill-child-1');
    expect(ti).toMatchObject({ state: 'success', try_number: 2 });
    expect(attemptLog(world, 'e2e_slow', 'kill-child-1', 'sleepy', 1)).toMatch(/SIGKILL/);
  });

  it('turns the TI of a SIGKILLed worker into a zombie that a second worker completes', {
    timeout: 90_000,
  }, async () => {
    env = await E2eEnvironment.create(dialect);
    const world = env;
    const apiServer = TidemarkProcess.start(['db', 'migrate'], world.env);
    await apiServer.exited;
    const server = TidemarkProcess.start(['api-server'], world.env);
    const scheduler = TidemarkProcess.start(['scheduler'], world.env);
    processes.push(server, scheduler);
    await server.waitFor(/listening at http/);
    const firstWorker = TidemarkProcess.start(['worker', '--api-url', world.apiUrl], world.env);
    processes.push(firstWorker);
    await world.waitForDag('e2e_slow');

    const pids = pidFolder();
    await triggerDagRun(world.database, {
      dagId: 'e2e_slow',
      runId: 'kill-worker-1',
      conf: { pid_dir: pids, slow_tries: [1], sleep_ms: 60_000 },
    });
    await waitUntil(() => existsSync(join(pids, '1.pid')), 'the first try to start');
    firstWorker.kill('SIGKILL');
    await firstWorker.exited;

    const zombie = await waitUntil(
      async () => {
        const [ti] = await world.taskInstances('e2e_slow', 'kill-worker-1');
        return ti?.state === 'up_for_retry' || ti?.state === 'queued' ? ti : undefined;
      },
      'the scheduler to find the zombie',
      15_000,
    );
    expect(zombie.try_number).toBe(1);

    const secondWorker = TidemarkProcess.start(['worker', '--api-url', world.apiUrl], world.env);
    processes.push(secondWorker);
    expect(await world.waitForRunFinished('e2e_slow', 'kill-worker-1')).toBe('success');
    const [ti] = await world.taskInstances('e2e_slow', 'kill-worker-1');
    expect(ti).toMatchObject({ state: 'success', try_number: 2 });
    expect(scheduler.output).toMatch(/zombie/);
  });

  it('maps a task over five items as map indices 0…4', async () => {
    const world = await standalone();
    await world.waitForDag('e2e_wide');
    await triggerDagRun(world.database, { dagId: 'e2e_wide', runId: 'wide-1', conf: { items: 5 } });
    expect(await world.waitForRunFinished('e2e_wide', 'wide-1')).toBe('success');
    const each = (await world.taskInstances('e2e_wide', 'wide-1')).filter((ti) => ti.task_id === 'each');
    expect(each.map((ti) => [ti.map_index, ti.state])).toEqual([0, 1, 2, 3, 4].map((index) => [index, 'success']));
    expect(await world.xcom('e2e_wide', 'wide-1', 'each', 3)).toBe(30);
    expect(await world.xcom('e2e_wide', 'wide-1', 'end')).toBe(5);
    expect(readdirSync(join(world.home, 'logs', 'dag_id=e2e_wide', 'run_id=wide-1', 'task_id=each'))).toHaveLength(5);
  });
});
