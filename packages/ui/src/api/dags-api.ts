import { request, segment } from './http.ts';
import type { Dag, DagDetails, DagRun, ImportError, JsonValue } from './types.ts';

const API = '/api/v2';

export async function listDags(): Promise<readonly Dag[]> {
  const page = await request<{ dags: Dag[] }>(`${API}/dags`, { query: { limit: 1000 } });
  return page.dags;
}

export function getDag(dagId: string): Promise<DagDetails> {
  return request(`${API}/dags/${segment(dagId)}`);
}

export function setDagPaused(dagId: string, isPaused: boolean): Promise<Dag> {
  return request(`${API}/dags/${segment(dagId)}`, { method: 'PATCH', body: { is_paused: isPaused } });
}

/** Newest first; `dagId` `~` lists the runs of every DAG. */
export async function listDagRuns(dagId: string, limit: number): Promise<readonly DagRun[]> {
  const page = await request<{ dag_runs: DagRun[] }>(`${API}/dags/${segment(dagId)}/dagRuns`, {
    query: { limit, order_by: '-id' },
  });
  return page.dag_runs;
}

export function getDagRun(dagId: string, runId: string): Promise<DagRun> {
  return request(`${API}/dags/${segment(dagId)}/dagRuns/${segment(runId)}`);
}

export function triggerDagRun(dagId: string, conf: Record<string, JsonValue>): Promise<DagRun> {
  return request(`${API}/dags/${segment(dagId)}/dagRuns`, { method: 'POST', body: { conf } });
}

export function deleteDagRun(dagId: string, runId: string): Promise<void> {
  return request(`${API}/dags/${segment(dagId)}/dagRuns/${segment(runId)}`, { method: 'DELETE' });
}

/** Resets the run's failed (and upstream-failed) task instances for another try. */
export function clearFailedTasks(dagId: string, runId: string): Promise<unknown> {
  return request(`${API}/dags/${segment(dagId)}/clearTaskInstances`, {
    method: 'POST',
    body: { dag_run_id: runId, only_failed: true },
  });
}

/** DAG files that failed to load, with the reason. */
export async function listImportErrors(): Promise<readonly ImportError[]> {
  const page = await request<{ import_errors: ImportError[] }>(`${API}/importErrors`, { query: { limit: 100 } });
  return page.import_errors;
}
