import { DagDefinitionError } from '../errors.ts';

/**
 * Every task after its upstream tasks; among tasks that are ready together, the one defined first
 * comes first, so the order is stable. A cycle is reported with its path, in the direction work flows.
 */
export function topologicalOrder(
  dagId: string,
  taskIds: readonly string[],
  upstreamOf: (taskId: string) => ReadonlySet<string>,
): string[] {
  const waitingOn = new Map(taskIds.map((taskId) => [taskId, new Set(upstreamOf(taskId))]));
  const order: string[] = [];
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [taskId, upstream] of waitingOn) {
      if (upstream.size > 0) continue;
      order.push(taskId);
      waitingOn.delete(taskId);
      for (const other of waitingOn.values()) other.delete(taskId);
      progressed = true;
      break;
    }
  }
  if (waitingOn.size > 0) {
    const cycle = findCycle(taskIds, waitingOn);
    throw new DagDefinitionError(`DAG "${dagId}" has a cycle: ${cycle.join(' → ')}`, { dag_id: dagId, cycle });
  }
  return order;
}

/** Every task left waiting has an upstream task that is also left; walking upstream must come back. */
function findCycle(taskIds: readonly string[], waitingOn: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const definitionIndex = new Map(taskIds.map((taskId, index) => [taskId, index]));
  const byDefinition = (a: string, b: string) => (definitionIndex.get(a) ?? 0) - (definitionIndex.get(b) ?? 0);
  const walked: string[] = [];
  let current = [...waitingOn.keys()].sort(byDefinition)[0] as string;
  while (!walked.includes(current)) {
    walked.push(current);
    current = [...(waitingOn.get(current) ?? [])].sort(byDefinition)[0] as string;
  }
  const againstFlow = walked.slice(walked.indexOf(current));
  const withFlow = againstFlow.reverse();
  const first = withFlow.indexOf([...withFlow].sort(byDefinition)[0] as string);
  const rotated = [...withFlow.slice(first), ...withFlow.slice(0, first)];
  return [...rotated, rotated[0] as string];
}
