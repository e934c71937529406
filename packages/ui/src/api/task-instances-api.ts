import { request, segment } from './http.ts';
import type { TaskInstance, TaskInstanceTry, TaskLogChunk, XcomEntry } from './types.ts';

const API = '/api/v2';

/** Where one task instance lives. */
export interface TaskInstanceAddress {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
}

function runPath(dagId: string, runId: string): string {
  return `${API}/dags/${segment(dagId)}/dagRuns/${segment(runId)}`;
}

export function taskInstancePath(ti: TaskInstanceAddress): string {
  return `${runPath(ti.dagId, ti.runId)}/taskInstances/${segment(ti.taskId)}`;
}

export async function listTaskInstances(dagId: string, runId: string): Promise<readonly TaskInstance[]> {
  const page = await request<{ task_instances: TaskInstance[] }>(`${runPath(dagId, runId)}/taskInstances`, {
    query: { limit: 1000 },
  });
  return page.task_instances;
}

export function getTaskInstance(ti: TaskInstanceAddress): Promise<TaskInstance> {
  return request(taskInstancePath(ti), { query: { map_index: ti.mapIndex } });
}

/** Every try of the task instance, oldest first (the running or queued one last). */
export async function listTaskInstanceTries(ti: TaskInstanceAddress): Promise<readonly TaskInstanceTry[]> {
  const page = await request<{ task_instances: TaskInstanceTry[] }>(`${taskInstancePath(ti)}/tries`, {
    query: { map_index: ti.mapIndex },
  });
  return page.task_instances;
}

export function markTaskInstance(ti: TaskInstanceAddress, newState: 'success' | 'failed'): Promise<TaskInstance> {
  return request(taskInstancePath(ti), {
    method: 'PATCH',
    query: { map_index: ti.mapIndex },
    body: { new_state: newState },
  });
}

/** Resets the task instance for another try; its task state goes too unless `keepTaskState`. */
export function clearTaskInstance(ti: TaskInstanceAddress, keepTaskState: boolean): Promise<unknown> {
  return request(`${API}/dags/${segment(ti.dagId)}/clearTaskInstances`, {
    method: 'POST',
    body: {
      dag_run_id: ti.runId,
      task_ids: [ti.taskId],
      map_indexes: [ti.mapIndex],
      keep_task_state: keepTaskState,
    },
  });
}

/** One chunk of a try's log from `offset`; 404 (ApiError) until the try has logged a line. */
export function readTaskLog(ti: TaskInstanceAddress, tryNumber: number, offset: number): Promise<TaskLogChunk> {
  return request(`${taskInstancePath(ti)}/logs/${tryNumber}`, { query: { map_index: ti.mapIndex, offset } });
}

export async function listXcoms(ti: TaskInstanceAddress): Promise<readonly XcomEntry[]> {
  const page = await request<{ xcom_entries: XcomEntry[] }>(`${taskInstancePath(ti)}/xcomEntries`, {
    query: { map_index: ti.mapIndex },
  });
  return page.xcom_entries;
}

export function getXcom(ti: TaskInstanceAddress, key: string): Promise<XcomEntry> {
  return request(`${taskInstancePath(ti)}/xcomEntries/${segment(key)}`, { query: { map_index: ti.mapIndex } });
}
