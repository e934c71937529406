import { describe, expect, it } from 'vitest';
import { SerializedDagError } from '../errors.ts';
import type { SerializedDag } from './serialized-dag.ts';
import { parseStoredDag, SERIALIZED_DAG_FORMAT_VERSION, serializeStoredDag } from './serialized-dag-format.ts';

const DAG: SerializedDag = {
  dagId: 'orders',
  fileloc: 'orders.ts',
  schedule: '@daily',
  startDate: Date.UTC(2026, 0, 1),
  catchup: false,
  description: null,
  tags: ['etl'],
  tasks: [
    {
      taskId: 'extract',
      upstreamTaskIds: [],
      mapOver: null,
      retries: 2,
      retryDelayMs: 5_000,
      retryExponentialBackoff: true,
      maxRetryDelayMs: null,
      executionTimeoutMs: 60_000,
      inlets: [],
      outlets: [{ name: 'orders', uri: 's3://warehouse/orders' }],
    },
  ],
};

function thrown(run: () => unknown): SerializedDagError {
  try {
    run();
  } catch (error) {
    if (error instanceof SerializedDagError) return error;
    throw error;
  }
  throw new Error('expected a SerializedDagError');
}

describe('stored serialized DAGs', () => {
  it(`are written with formatVersion ${SERIALIZED_DAG_FORMAT_VERSION} and read back as they were`, () => {
    const text = serializeStoredDag(DAG);
    expect(JSON.parse(text)).toMatchObject({ formatVersion: 1, dagId: 'orders' });
    expect(parseStoredDag(text)).toEqual(DAG);
  });

  it('read text stored before the format version existed as version 1', () => {
    expect(parseStoredDag(JSON.stringify(DAG))).toEqual(DAG);
  });

  it('keep fields they do not know within the same version', () => {
    const text = JSON.stringify({ ...DAG, formatVersion: 1, owner: 'data-team' });
    expect(parseStoredDag(text)).toEqual({ ...DAG, owner: 'data-team' });
  });

  it('refuse an unknown format version with a stable code, naming the DAG and the versions', () => {
    const error = thrown(() => parseStoredDag(JSON.stringify({ ...DAG, formatVersion: 2, tasks: 'new shape' })));
    expect(error.code).toBe('serialized_dag_invalid');
    expect(error.problem).toBe('unknown_format_version');
    expect(error.details).toMatchObject({ format_version: 2, supported_format_version: 1 });
    expect(error.message).toContain('the stored DAG "orders" is stored in serialized format version 2');
  });

  it('refuse a malformed DAG, saying where', () => {
    const { tasks: _tasks, ...withoutTasks } = DAG;
    const missing = thrown(() => parseStoredDag(JSON.stringify(withoutTasks), 'orders'));
    expect(missing).toMatchObject({ code: 'serialized_dag_invalid', problem: 'malformed' });
    expect(missing.message).toMatch(/^the stored DAG "orders" is not a serialized DAG \(.*at tasks\)/);

    const badTask = { ...DAG, tasks: [{ ...DAG.tasks[0], retries: 'two' }] };
    expect(thrown(() => parseStoredDag(JSON.stringify(badTask))).message).toContain('at tasks.0.retries');
    expect(thrown(() => parseStoredDag('[1, 2]')).problem).toBe('malformed');
  });

  it('refuse text that is not JSON', () => {
    const error = thrown(() => parseStoredDag('{"dagId": "orders",', 'orders'));
    expect(error).toMatchObject({ code: 'serialized_dag_invalid', problem: 'not_json' });
    expect(error.message).toMatch(/^the stored DAG "orders" is not JSON/);
  });
});
