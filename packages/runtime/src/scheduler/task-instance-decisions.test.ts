import type { SerializedDag, SerializedTask, TaskInstanceState } from '@tidemark/core';
import { serializedTask } from '@tidemark/db/testing';
import { describe, expect, it } from 'vitest';
import { decideRunState, decideTaskInstances, type TaskInstanceView } from './task-instance-decisions.ts';

const NOW = Date.UTC(2026, 0, 1);

function task(taskId: string, upstreamTaskIds: string[] = [], mapOver: string | null = null): SerializedTask {
  return serializedTask(taskId, { upstreamTaskIds, mapOver });
}

function dagOf(...tasks: SerializedTask[]): SerializedDag {
  return {
    dagId: 'd',
    fileloc: 'd.ts',
    schedule: null,
    startDate: null,
    catchup: false,
    description: null,
    tags: [],
    tasks,
  };
}

function ti(
  taskId: string,
  state: TaskInstanceState | null,
  mapIndex = -1,
  nextRetryAt: number | null = null,
): TaskInstanceView {
  return { id: `${taskId}[${mapIndex}]`, task_id: taskId, map_index: mapIndex, state, next_retry_at: nextRetryAt };
}

// extract → transform → load
const chain = dagOf(task('extract'), task('transform', ['extract']), task('load', ['transform']));

describe('decideTaskInstances (all_success)', () => {
  it('queues tasks without upstream tasks and holds the others', () => {
    const decisions = decideTaskInstances(chain, [ti('extract', null), ti('transform', null), ti('load', null)], NOW);
    expect(decisions).toEqual({ queue: ['extract[-1]'], upstreamFailed: [], skip: [], expand: [], remove: [] });
  });

  it('queues a task once every upstream task succeeded', () => {
    const decisions = decideTaskInstances(
      chain,
      [ti('extract', 'success'), ti('transform', null), ti('load', null)],
      NOW,
    );
    expect(decisions.queue).toEqual(['transform[-1]']);
  });

  it('waits while an upstream task is queued, running or up for retry', () => {
    for (const state of ['queued', 'running', 'up_for_retry', 'scheduled'] as const) {
      const decisions = decideTaskInstances(chain, [ti('extract', state, -1, NOW + 1000), ti('transform', null)], NOW);
      expect(decisions.queue, state).not.toContain('transform[-1]');
      expect(decisions.upstreamFailed, state).toEqual([]);
    }
  });

  it('marks downstream upstream_failed when an upstream failed, and it propagates along the chain', () => {
    const first = decideTaskInstances(chain, [ti('extract', 'failed'), ti('transform', null), ti('load', null)], NOW);
    expect(first.upstreamFailed).toEqual(['transform[-1]']);
    const second = decideTaskInstances(
      chain,
      [ti('extract', 'failed'), ti('transform', 'upstream_failed'), ti('load', null)],
      NOW,
    );
    expect(second.upstreamFailed).toEqual(['load[-1]']);
  });

  it('skips downstream of a skipped task', () => {
    const decisions = decideTaskInstances(chain, [ti('extract', 'skipped'), ti('transform', null)], NOW);
    expect(decisions.skip).toEqual(['transform[-1]']);
  });

  it('requires all upstream tasks: a failure wins over pending and skipped', () => {
    const join = dagOf(task('a'), task('b'), task('c'), task('end', ['a', 'b', 'c']));
    const tis = [ti('a', 'skipped'), ti('b', 'running'), ti('c', 'failed'), ti('end', null)];
    expect(decideTaskInstances(join, tis, NOW).upstreamFailed).toEqual(['end[-1]']);
    const waiting = [ti('a', 'skipped'), ti('b', 'running'), ti('c', 'success'), ti('end', null)];
    expect(decideTaskInstances(join, waiting, NOW)).toMatchObject({ skip: [], queue: [], upstreamFailed: [] });
  });

  it('requeues a retry only once its delay has passed', () => {
    expect(decideTaskInstances(chain, [ti('extract', 'up_for_retry', -1, NOW + 1)], NOW).queue).toEqual([]);
    expect(decideTaskInstances(chain, [ti('extract', 'up_for_retry', -1, NOW)], NOW).queue).toEqual(['extract[-1]']);
  });

  it('expands a mapped placeholder when its upstream succeeded, and waits for every map index downstream', () => {
    const mapped = dagOf(task('list'), task('each', ['list'], 'list'), task('sum', ['each']));
    const expand = decideTaskInstances(mapped, [ti('list', 'success'), ti('each', null), ti('sum', null)], NOW);
    expect(expand.expand).toEqual([{ placeholderId: 'each[-1]', task: mapped.tasks[1] }]);
    expect(expand.queue).toEqual([]);
    const partly = [ti('list', 'success'), ti('each', 'success', 0), ti('each', 'running', 1), ti('sum', null)];
    expect(decideTaskInstances(mapped, partly, NOW).queue).toEqual([]);
    const done = [ti('list', 'success'), ti('each', 'success', 0), ti('each', 'success', 1), ti('sum', null)];
    expect(decideTaskInstances(mapped, done, NOW).queue).toEqual(['sum[-1]']);
    const oneFailed = [ti('list', 'success'), ti('each', 'failed', 0), ti('each', 'running', 1), ti('sum', null)];
    expect(decideTaskInstances(mapped, oneFailed, NOW).upstreamFailed).toEqual(['sum[-1]']);
  });

  it('removes unfinished TIs of tasks that left the DAG, and leaves finished ones alone', () => {
    const decisions = decideTaskInstances(chain, [ti('gone', null), ti('old', 'success'), ti('extract', null)], NOW);
    expect(decisions.remove).toEqual(['gone[-1]']);
    expect(decisions.queue).toEqual(['extract[-1]']);
  });
});

describe('decideRunState', () => {
  it('is running while any TI is unfinished', () => {
    expect(decideRunState([ti('a', 'success'), ti('b', 'up_for_retry')])).toBe('running');
    expect(decideRunState([ti('a', 'success'), ti('b', null)])).toBe('running');
  });
  it('succeeds when every TI succeeded or was skipped', () => {
    expect(decideRunState([ti('a', 'success'), ti('b', 'skipped'), ti('c', 'removed')])).toBe('success');
    expect(decideRunState([])).toBe('success');
  });
  it('fails when any TI failed or was upstream_failed', () => {
    expect(decideRunState([ti('a', 'failed'), ti('b', 'upstream_failed')])).toBe('failed');
    expect(decideRunState([ti('a', 'success'), ti('b', 'upstream_failed')])).toBe('failed');
  });
});
