import type { DagRunResponse, TaskInstanceResponse } from '@tidemark/core';
import type { PublicApiClient } from '../api/public-api-client.ts';
import { formatMs } from './print.ts';

/** At most this many running task instances have their progress read on each poll. */
const MAX_PROGRESS_READS = 3;

/**
 * What `dags trigger --wait` adds to the task counts: when each task waiting for a retry is due, and
 * the progress a running task reports in its task state (`{done, total}`, as `checkpoint` writes it).
 */
export async function runDetails(client: PublicApiClient, run: DagRunResponse, now = Date.now()): Promise<string> {
  const counts = run.task_instance_states;
  if (!(counts.up_for_retry ?? 0) && !(counts.running ?? 0)) return '';
  const tis = (
    await client.listTaskInstances(run.dag_id, run.dag_run_id, { state: 'up_for_retry,running', limit: 100 })
  ).task_instances;
  const retries = tis.filter((ti) => ti.state === 'up_for_retry').map((ti) => retryWait(ti, now));
  const running = tis.filter((ti) => ti.state === 'running').slice(0, MAX_PROGRESS_READS);
  const progress = await Promise.all(running.map((ti) => progressOf(client, ti)));
  return [...retries, ...progress.filter((text) => text !== null)].join('; ');
}

export function retryWait(ti: TaskInstanceResponse, now: number): string {
  const next = ti.next_retry_at === null ? Number.NaN : Date.parse(ti.next_retry_at);
  const due = Number.isFinite(next)
    ? next > now
      ? `in ${formatMs(next - now)}`
      : 'now'
    : 'when the scheduler requeues it';
  return `${nameOf(ti)} failed try ${ti.try_number} of ${ti.max_tries}, next try ${due}`;
}

async function progressOf(client: PublicApiClient, ti: TaskInstanceResponse): Promise<string | null> {
  const address = { dagId: ti.dag_id, runId: ti.dag_run_id, taskId: ti.task_id, mapIndex: ti.map_index };
  const page = await client.listTaskState(address, { limit: 100 }).catch(() => null);
  for (const entry of page?.task_state_store ?? []) {
    const value = entry.value as { done?: unknown; total?: unknown } | null;
    if (typeof value !== 'object' || value === null) continue;
    const { done, total } = value;
    if (typeof done !== 'number' || typeof total !== 'number' || !(total > 0)) continue;
    return `${nameOf(ti)} ${entry.key} ${done}/${total} (${Math.floor((100 * done) / total)}%)`;
  }
  return null;
}

function nameOf(ti: TaskInstanceResponse): string {
  return ti.map_index >= 0 ? `${ti.task_id}[${ti.map_index}]` : ti.task_id;
}
