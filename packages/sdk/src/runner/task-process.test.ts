import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttemptSpec, TaskRequest } from '@tidemark/core/task-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINED_AT_LINE } from './fixtures/task-process-dag.ts';
import { type RequestAnswer, TestSupervisor } from './fixtures/test-supervisor.ts';

const FIXTURE_DAG_FILE = fileURLToPath(new URL('./fixtures/task-process-dag.ts', import.meta.url));
const NAMED_EXPORTS_DAG_FILE = fileURLToPath(new URL('./fixtures/named-export-dags.ts', import.meta.url));

function attemptOf(taskId: string, overrides: Partial<AttemptSpec> = {}): AttemptSpec {
  return {
    dagId: 'task_process_fixture',
    runId: 'manual__2026-01-02T03:04:05Z',
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 3,
    dagFile: FIXTURE_DAG_FILE,
    conf: {},
    logicalDate: null,
    ...overrides,
  };
}

async function run(attempt: AttemptSpec, answer?: (request: TaskRequest) => RequestAnswer) {
  const result = await new TestSupervisor(attempt, answer).result;
  expect(result.finished, `stderr: ${result.stderr}`).toHaveLength(1);
  expect(result.exitCode).toBe(0);
  return { ...result, finished: result.finished[0] };
}

describe.concurrent('the task process', () => {
  it('runs a task with its context and reports what it returned', async () => {
    const { finished, logs } = await run(
      attemptOf('context_echo', {
        tryNumber: 2,
        conf: { region: 'eu', limit: 10 },
        logicalDate: Date.UTC(2026, 0, 2, 3, 4, 5),
      }),
    );
    expect(finished).toEqual({
      type: 'finished',
      outcome: 'success',
      returnValue: {
        dagId: 'task_process_fixture',
        runId: 'manual__2026-01-02T03:04:05Z',
        taskId: 'context_echo',
        mapIndex: -1,
        tryNumber: 2,
        maxTries: 3,
        conf: { region: 'eu', limit: 10 },
        logicalDate: '2026-01-02T03:04:05.000Z',
        signalAborted: false,
        definedAt: { file: FIXTURE_DAG_FILE, line: DEFINED_AT_LINE },
      },
    });
    expect(logs).toEqual([
      { type: 'log', level: 'info', message: 'context built {"tryNumber":2}', ts: expect.any(Number) },
    ]);
  });

  it('hands the task the attempt traceparent, says how long the task function ran, and sends the resumable decision as a metric event', async () => {
    const traceParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    let version = 0;
    const result = await new TestSupervisor(attemptOf('observed', { traceParent }), (request) =>
      request.method === 'state.get' ? { ok: true, value: null } : { ok: true, value: { version: ++version } },
    ).result;
    expect(result.finished).toEqual([
      { type: 'finished', outcome: 'success', returnValue: { traceParent, decision: 'fresh_submit' } },
    ]);
    expect(result.ranMs).toHaveLength(1);
    expect(result.ranMs[0]).toBeGreaterThanOrEqual(0);
    expect(result.metrics).toEqual([{ type: 'metric', name: 'resumable_decision', decision: 'fresh_submit' }]);
  });

  it('passes a mapped task its map item', async () => {
    const { finished, logs } = await run(attemptOf('square', { mapIndex: 2, mapItem: 7 }));
    expect(finished).toEqual({ type: 'finished', outcome: 'success', returnValue: 49 });
    expect(logs.map(({ level, message }) => [level, message])).toEqual([['debug', 'squaring 7']]);
  });

  it('fails for good when a mapped task gets no map item', async () => {
    const { finished } = await run(attemptOf('square', { mapIndex: 0 }));
    expect(finished).toEqual({
      type: 'finished',
      outcome: 'failed',
      retryable: false,
      error: 'task "square" is mapped over "list_numbers", but the supervisor sent no map item for map index 0',
    });
  });

  it('keys the task state of a task mapped with stateKey by its item, and reaches the DAG state of its DAG', async () => {
    const { finished, requests } = await run(
      attemptOf('keyed_by_order', { mapIndex: 3, mapItem: { id: 'order-7' } }),
      (request): RequestAnswer =>
        request.method === 'state.set'
          ? { ok: true, value: { version: 1 } }
          : { ok: true, value: { value: 'order-7', version: 1, expires_at: null } },
    );
    expect(finished).toEqual({ type: 'finished', outcome: 'success', returnValue: 'order-7' });
    expect(requests).toEqual([
      {
        method: 'state.set',
        params: { target: { kind: 'task', itemKey: 'order-7' }, key: 'job_id', value: 'job-of-order-7' },
      },
      {
        method: 'state.set',
        params: { target: { kind: 'dag', dagId: 'task_process_fixture' }, key: 'last_order', value: 'order-7' },
      },
      { method: 'state.get', params: { target: { kind: 'dag', dagId: 'task_process_fixture' }, key: 'last_order' } },
    ]);
  });

  it('fails for good, before the task runs, when stateKey returns no usable key', async () => {
    const { finished, requests } = await run(attemptOf('keyed_by_order', { mapIndex: 1, mapItem: { id: '' } }));
    expect(finished).toEqual({
      type: 'finished',
      outcome: 'failed',
      retryable: false,
      error: expect.stringMatching(
        /^stateKey of task "keyed_by_order" \(map index 1\): item key .* must be 1–512 characters, got 0/,
      ),
    });
    expect(requests).toEqual([]);
  });

  it('finds a DAG among the named exports of its file', async () => {
    const { finished } = await run(attemptOf('hello', { dagId: 'named_second', dagFile: NAMED_EXPORTS_DAG_FILE }));
    expect(finished).toEqual({ type: 'finished', outcome: 'success', returnValue: 'from the second DAG' });
  });

  it('pulls XComs through the supervisor and sees its refusals as TidemarkErrors', async () => {
    const { finished, requests } = await run(attemptOf('report'), (request) => {
      if (request.method !== 'xcom.pull') return { ok: false, code: 'unexpected', message: request.method };
      const { taskId, mapIndex } = request.params;
      if (taskId === 'list_numbers') return { ok: true, value: [1, 2, 3] };
      if (taskId === 'square') return { ok: true, value: mapIndex === undefined ? [1, 4, 9] : 4 };
      return { ok: false, code: 'xcom_not_found', message: `task "${taskId}" has no return value` };
    });
    expect(requests).toEqual([
      { method: 'xcom.pull', params: { taskId: 'list_numbers' } },
      { method: 'xcom.pull', params: { taskId: 'square' } },
      { method: 'xcom.pull', params: { taskId: 'square', mapIndex: 1 } },
      { method: 'xcom.pull', params: { taskId: 'throws' } },
    ]);
    expect(finished).toEqual({
      type: 'finished',
      outcome: 'success',
      returnValue: {
        numbers: [1, 2, 3],
        squares: [1, 4, 9],
        second: 4,
        refusal: { code: 'xcom_not_found', message: 'task "throws" has no return value', isTidemarkError: true },
      },
    });
  });

  it('reports success without a return value when the task returns nothing', async () => {
    const { finished, logs } = await run(attemptOf('returns_nothing'));
    expect(finished).toEqual({ type: 'finished', outcome: 'success' });
    expect(logs.map(({ level, message }) => [level, message])).toEqual([['warn', 'returning nothing']]);
  });

  it('reports a thrown error as a retryable failure with its stack', async () => {
    const { finished } = await run(attemptOf('throws'));
    expect(finished).toMatchObject({ type: 'finished', outcome: 'failed', retryable: true });
    expect(finished?.type === 'finished' && finished.outcome === 'failed' && finished.error).toMatch(
      /^Error: boom from the task\n\s+at .*task-process-dag\.ts:\d+/,
    );
  });

  it('reports FailTask as a failure that must not be retried', async () => {
    const { finished } = await run(attemptOf('fails_for_good'));
    expect(finished).toMatchObject({
      outcome: 'failed',
      retryable: false,
      error: expect.stringContaining('FailTask: the input file is corrupt'),
    });
  });

  it('reports SkipTask as skipped, with its reason', async () => {
    const { finished } = await run(attemptOf('skips'));
    expect(finished).toEqual({ type: 'finished', outcome: 'skipped', reason: 'nothing to load today' });
  });

  it('fails for good when the return value is not JSON', async () => {
    const { finished } = await run(attemptOf('returns_date'));
    expect(finished).toEqual({
      type: 'finished',
      outcome: 'failed',
      retryable: false,
      error:
        'task "returns_date" returned a value that XCom cannot store: ' +
        'the value must be JSON: found a Date at $.loadedAt; convert it with toISOString()',
    });
  });

  it('fails for good when the task is not in the DAG, naming the task and the file', async () => {
    const { finished } = await run(attemptOf('no_such_task'));
    expect(finished).toMatchObject({ outcome: 'failed', retryable: false });
    expect(finished).toHaveProperty(
      'error',
      expect.stringMatching(
        /^task "no_such_task" is not defined in DAG "task_process_fixture" of .*task-process-dag\.ts/,
      ),
    );
  });

  it('fails for good when the DAG is not in the file, naming what the file defines', async () => {
    const { finished } = await run(attemptOf('hello', { dagId: 'no_such_dag', dagFile: NAMED_EXPORTS_DAG_FILE }));
    expect(finished).toEqual({
      type: 'finished',
      outcome: 'failed',
      retryable: false,
      error: `DAG "no_such_dag" is not defined in ${NAMED_EXPORTS_DAG_FILE}: the file exports "named_first", "named_second"`,
    });
  });

  it('aborts ctx.signal on SIGTERM and reports the failure the task then throws', async () => {
    const supervisor = new TestSupervisor(attemptOf('waits_for_abort'));
    await supervisor.waitForLog((log) => log.message === 'waiting for abort');
    supervisor.child.kill('SIGTERM');
    const result = await supervisor.result;
    expect(result.exitCode).toBe(0);
    expect(result.finished).toEqual([
      {
        type: 'finished',
        outcome: 'failed',
        retryable: true,
        error: expect.stringMatching(/^TaskTerminatedError: the task process received SIGTERM/),
      },
    ]);
    expect(result.logs.at(-1)).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^saw the abort .*SIGTERM/),
    });
  });

  it('reports an unhandled rejection as a retryable failure', async () => {
    const { finished } = await run(attemptOf('rejects_unhandled'));
    expect(finished).toMatchObject({
      outcome: 'failed',
      retryable: true,
      error: expect.stringContaining('unhandled promise rejection: Error: a rejection nobody handles'),
    });
  });

  it('reports an uncaught exception as a retryable failure', async () => {
    const { finished } = await run(attemptOf('throws_from_timer'));
    expect(finished).toMatchObject({
      outcome: 'failed',
      retryable: true,
      error: expect.stringContaining('uncaught exception: Error: thrown from a timer'),
    });
  });

  describe('with a DAG file that does not compile', () => {
    let folder = '';
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'tidemark-sdk-'));
    });
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('reports the failure naming the file', async () => {
      const brokenFile = join(folder, 'broken-dag.ts');
      await writeFile(brokenFile, "import { dag } from '@tidemark/sdk';\nexport default dag('broken', {\n");
      const { finished } = await run(attemptOf('any', { dagId: 'broken', dagFile: brokenFile }));
      expect(finished).toMatchObject({ outcome: 'failed', retryable: true });
      expect(finished).toHaveProperty('error', expect.stringContaining(`cannot import DAG file ${brokenFile}: `));
      expect(finished).toHaveProperty(
        'error',
        expect.stringContaining(`${brokenFile}:3:0: ERROR: Expected identifier`),
      );
    });

    it('reports a definition error with the line of the DAG file that made it', async () => {
      const invalidFile = join(folder, 'invalid-dag.ts');
      const sdkIndex = new URL('../index.ts', import.meta.url).href;
      await writeFile(
        invalidFile,
        `import { dag } from '${sdkIndex}';\nconst twice = dag('twice');\ntwice.task('a', () => 1);\ntwice.task('a', () => 2);\nexport default twice;\n`,
      );
      const { finished } = await run(attemptOf('a', { dagId: 'twice', dagFile: invalidFile }));
      expect(finished).toMatchObject({ outcome: 'failed', retryable: true });
      expect(finished).toHaveProperty(
        'error',
        expect.stringMatching(
          new RegExp(
            `^cannot import DAG file ${invalidFile}: DagDefinitionError: task id "a" is defined twice in DAG "twice"\\n\\s+at [^\\n]*${invalidFile}:4:`,
          ),
        ),
      );
    });
  });
});
