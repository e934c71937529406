import { describe, expect, it } from 'vitest';
import { dependencyRank, tasksInDependencyOrder } from './task-order.ts';

const task = (task_id: string, ...upstream_task_ids: string[]) => ({ task_id, upstream_task_ids });
const ids = (tasks: readonly { task_id: string }[]) => tasks.map((one) => one.task_id);

describe('tasks in dependency order', () => {
  it('puts each task after its upstream tasks, whatever the alphabet says', () => {
    const tasks = [task('z_load', 'b_transform'), task('b_transform', 'y_extract'), task('y_extract')];
    expect(ids(tasksInDependencyOrder(tasks))).toEqual(['y_extract', 'b_transform', 'z_load']);
  });

  it('keeps the declared order among tasks that are ready together (a fan-out and a fan-in)', () => {
    const tasks = [
      task('report', 'left', 'right'),
      task('right', 'start'),
      task('left', 'start'),
      task('start'),
      task('lonely'),
    ];
    expect(ids(tasksInDependencyOrder(tasks))).toEqual(['start', 'right', 'left', 'report', 'lonely']);
  });

  it('ignores upstream ids the DAG does not list, and keeps a cycle in declared order at the end', () => {
    expect(ids(tasksInDependencyOrder([task('a', 'ghost'), task('b', 'c'), task('c', 'b')]))).toEqual(['a', 'b', 'c']);
  });

  it('ranks task ids for sorting, unknown ones last', () => {
    const rank = dependencyRank([task('late', 'early'), task('early')]);
    expect(['late', 'unknown', 'early'].sort((a, b) => rank(a) - rank(b))).toEqual(['early', 'late', 'unknown']);
  });
});
