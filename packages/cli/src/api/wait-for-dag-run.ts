import type { DagRunResponse } from '@tidemark/core';
import type { PublicApiClient } from './public-api-client.ts';

export const DEFAULT_POLL_INTERVAL_MS = 500;

export function isRunFinished(run: DagRunResponse): boolean {
  return run.state === 'success' || run.state === 'failed';
}

/** Polls GET …/dagRuns/{run_id} until the run succeeds or fails; `onUpdate` sees every answer. */
export async function waitForDagRun(
  client: PublicApiClient,
  dagId: string,
  runId: string,
  onUpdate: (run: DagRunResponse) => void | Promise<void>,
  intervalMs = DEFAULT_POLL_INTERVAL_MS,
): Promise<DagRunResponse> {
  for (;;) {
    const run = await client.getDagRun(dagId, runId);
    await onUpdate(run);
    if (isRunFinished(run)) return run;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
