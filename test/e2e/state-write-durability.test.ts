// Group commit (issue 18): state writes share transactions, and a write is acknowledged only after
// its shared COMMIT. A SIGKILL of the api-server while batches are in flight loses no acknowledged
// write: each client's last acknowledged (204) write is in the database afterwards.

import { TidemarkProcess } from '@tidemark/cli/testing';
import { type SerializedDag, taskScope } from '@tidemark/core';
import { type DialectName, MetastoreStateBackend, triggerDagRun, upsertSerializedDag } from '@tidemark/db';
import { serializedTask, testDialects, waitUntil } from '@tidemark/db/testing';
import { issueWorkerToken } from '@tidemark/server';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

const DAG_ID = 'e2e_group_commit';
const RUN_ID = 'kill-1';
const CLIENTS = 8;
const SECRET_KEY = 'e2e-group-commit-secret-key-0123456789abcdef';

describe.each(testDialects())('state writes across a SIGKILL of the api-server on %s', (dialect: DialectName) => {
  let env: E2eEnvironment | undefined;
  let server: TidemarkProcess | undefined;

  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.kill('SIGKILL');
    await server?.exited;
    await env?.destroy().catch(() => undefined);
    server = undefined;
    env = undefined;
  });

  it('keeps every acknowledged write of concurrent clients (batched commits)', { timeout: 120_000 }, async () => {
    env = await E2eEnvironment.create(dialect, { TIDEMARK_API__SECRET_KEY: SECRET_KEY });
    const database = env.database;
    const dag: SerializedDag = {
      dagId: DAG_ID,
      fileloc: 'e2e/group-commit.ts',
      schedule: null,
      startDate: null,
      catchup: false,
      description: null,
      tags: [],
      tasks: Array.from({ length: CLIENTS }, (_, index) => serializedTask(`task_${index}`)),
    };
    await upsertSerializedDag(database.db, dag);
    await triggerDagRun(database, { dagId: DAG_ID, runId: RUN_ID });
    await database.db.updateTable('task_instance').set({ state: 'queued', queued_at: Date.now() }).execute();

    server = TidemarkProcess.start(['api-server'], env.env);
    const origin = env.apiUrl;
    await waitUntil(
      () =>
        fetch(`${origin}/health`).then(
          (response) => response.ok,
          () => false,
        ),
      'the api-server to answer /health',
      60_000,
    );
    const attempts = await claimAll(origin, CLIENTS);

    // Each client sets its own key to 1, 2, 3, … one write at a time; `acked` is its last 204.
    const acked = attempts.map(() => 0);
    const clients = attempts.map(async (attempt, client) => {
      for (let value = 1; ; value++) {
        const response = await fetch(`${origin}/execution/store/ti/${attempt.tiId}/counter`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${attempt.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ value }),
        }).catch(() => undefined); // the api-server is gone
        if (response?.status !== 204) return;
        expect(response.headers.get('etag')).toBe(`"${value}"`); // the version this write got
        acked[client] = value;
      }
    });
    await waitUntil(() => acked.every((count) => count >= 20), 'every client to have 20 writes acknowledged', 60_000);
    server.kill('SIGKILL');
    await server.exited;
    await Promise.all(clients);

    const backend = new MetastoreStateBackend(database, { maxValueBytes: 65_536, historyDepth: 10 });
    for (const [client, attempt] of attempts.entries()) {
      const ti = await database.db
        .selectFrom('task_instance')
        .select('task_id')
        .where('id', '=', attempt.tiId)
        .executeTakeFirstOrThrow();
      const stored = await backend.get(taskScope({ dagId: DAG_ID, runId: RUN_ID, taskId: ti.task_id }), 'counter');
      const last = acked[client] as number;
      // The acknowledged write is there; the one in flight at the kill may or may not be.
      expect([last, last + 1]).toContain(stored?.value);
      expect(stored?.version).toBe(stored?.value);
    }
  });
});

async function claimAll(origin: string, count: number): Promise<{ tiId: string; token: string }[]> {
  const workerToken = issueWorkerToken(SECRET_KEY, 3_600_000);
  const attempts: { tiId: string; token: string }[] = [];
  for (let index = 0; index < count; index++) {
    const response = await fetch(`${origin}/execution/workloads/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ worker: 'e2e:1' }),
    });
    expect(response.status).toBe(200);
    const claimed = (await response.json()) as { ti_id: string; token: string };
    attempts.push({ tiId: claimed.ti_id, token: claimed.token });
  }
  return attempts;
}
