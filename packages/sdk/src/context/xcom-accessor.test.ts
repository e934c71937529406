import type { JsonValue } from '@tidemark/core/task-process';
import { describe, expect, it } from 'vitest';
import { dag } from '../dag/dag.ts';
import type { SupervisorRequester } from '../runner/supervisor-channel.ts';
import { createXComAccessor } from './xcom-accessor.ts';

function recordingSupervisor(value: JsonValue) {
  const requests: unknown[] = [];
  const supervisor: Pick<SupervisorRequester, 'request'> = {
    request: async (_method, params) => {
      requests.push(params);
      return value;
    },
  };
  return { requests, supervisor };
}

describe('ctx.xcom', () => {
  const pipeline = dag('pipeline');
  const numbers = pipeline.task('numbers', () => [1, 2]);
  const doubled = pipeline.map('doubled', numbers, (_ctx, n) => n * 2);

  it('asks the supervisor for a task, and for one map index only when given', async () => {
    const { requests, supervisor } = recordingSupervisor([2, 4]);
    const xcom = createXComAccessor('pipeline', supervisor);
    expect(await xcom.pull(numbers)).toEqual([2, 4]);
    await xcom.pull(doubled);
    await xcom.pull(doubled, { mapIndex: 0 });
    expect(requests).toEqual([{ taskId: 'numbers' }, { taskId: 'doubled' }, { taskId: 'doubled', mapIndex: 0 }]);
  });

  it('refuses tasks of another DAG and map indices that are not whole numbers ≥ 0', async () => {
    const { requests, supervisor } = recordingSupervisor(1);
    const xcom = createXComAccessor('other', supervisor);
    await expect(xcom.pull(numbers)).rejects.toMatchObject({
      code: 'invalid_xcom_pull',
      message: 'ctx.xcom.pull: task "numbers" belongs to DAG "pipeline", not to this DAG "other"',
    });
    const own = createXComAccessor('pipeline', supervisor);
    await expect(own.pull(doubled, { mapIndex: -1 })).rejects.toMatchObject({
      code: 'invalid_xcom_pull',
      message: 'ctx.xcom.pull: mapIndex must be a whole number ≥ 0, got -1',
    });
    await expect(own.pull('numbers' as never)).rejects.toMatchObject({ code: 'invalid_xcom_pull' });
    expect(requests).toEqual([]);
  });

  it('pushes a keyed XCom through the supervisor, refusing return_value and values that are not JSON', async () => {
    const { requests, supervisor } = recordingSupervisor(null as never);
    const xcom = createXComAccessor('pipeline', supervisor);
    await xcom.push('row_count', 1_204);
    expect(requests).toEqual([{ key: 'row_count', value: 1_204 }]);
    await expect(xcom.push('return_value', 1)).rejects.toMatchObject({ code: 'invalid_xcom_push' });
    await expect(xcom.push('ratio', Number.NaN)).rejects.toMatchObject({ code: 'invalid_state_value' });
    await expect(xcom.push('', 1)).rejects.toMatchObject({ code: 'invalid_state_key' });
    expect(requests).toHaveLength(1);
  });
});
