/** What the ordering needs of a task: its id and the tasks it waits for. */
export interface OrderedTask {
  readonly task_id: string;
  readonly upstream_task_ids: readonly string[];
}

/**
 * The tasks in dependency order: every task after all its upstream tasks; among the tasks ready at
 * the same time, the order the DAG declares them. An upstream id the DAG does not list is ignored,
 * and a cycle (which the DAG processor refuses) keeps its tasks in declared order at the end.
 */
export function tasksInDependencyOrder<T extends OrderedTask>(tasks: readonly T[]): T[] {
  const known = new Set(tasks.map((task) => task.task_id));
  const waitingFor = new Map(
    tasks.map((task) => [task.task_id, new Set(task.upstream_task_ids.filter((id) => known.has(id)))]),
  );
  const ordered: T[] = [];
  const placed = new Set<string>();
  let progressed = true;
  while (progressed && ordered.length < tasks.length) {
    progressed = false;
    for (const task of tasks) {
      if (placed.has(task.task_id)) continue;
      const upstream = waitingFor.get(task.task_id) ?? new Set();
      if ([...upstream].every((id) => placed.has(id))) {
        ordered.push(task);
        placed.add(task.task_id);
        progressed = true;
        // Start again from the top: a task declared earlier that just became ready goes first.
        break;
      }
    }
  }
  for (const task of tasks) if (!placed.has(task.task_id)) ordered.push(task);
  return ordered;
}

/** A task's position in `tasksInDependencyOrder`, for sorting task instances (unknown tasks last). */
export function dependencyRank(tasks: readonly OrderedTask[]): (taskId: string) => number {
  const rank = new Map(tasksInDependencyOrder(tasks).map((task, index) => [task.task_id, index]));
  return (taskId) => rank.get(taskId) ?? Number.MAX_SAFE_INTEGER;
}
