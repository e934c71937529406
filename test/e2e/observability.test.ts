import { TidemarkProcess } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { sampleValue } from '@tidemark/server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';
import { type CollectedSpan, OtlpCollector } from './support/otlp-collector.ts';

const TOKEN = 'e2e-metrics-token-0123456789';
// OTLP's span kinds: 1 internal, 2 server, 3 client.
const SERVER = 2;
const CLIENT = 3;

// Metrics and traces of a real standalone (dags/e2e_observed.ts): one registry for its api-server,
// scheduler and worker behind GET /metrics, and spans exported to a collector in this test.
describe.each(eachDialect())('observability end to end on %s', (dialect) => {
  let standalone: TidemarkProcess | undefined;
  let collector: OtlpCollector | undefined;
  let env: E2eEnvironment | undefined;

  afterEach(async () => {
    await standalone?.stop();
    await collector?.close();
    await env?.destroy();
    standalone = undefined;
    collector = undefined;
    env = undefined;
  });

  it('a run moves the counters by exactly what it did, and its attempt is one trace from worker to database', {
    timeout: 120_000,
  }, async () => {
    collector = await OtlpCollector.start();
    env = await E2eEnvironment.create(dialect, {
      TIDEMARK_METRICS__BEARER_TOKEN: TOKEN,
      TIDEMARK_TRACING__OTLP_ENDPOINT: collector.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const world = env;
    standalone = TidemarkProcess.start(['standalone'], world.env);
    await standalone.waitFor(/Tidemark is running at http/);
    await world.waitForDag('e2e_observed_patterns');
    const scrape = async () => {
      const response = await fetch(`${world.apiUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      return response.text();
    };
    expect((await fetch(`${world.apiUrl}/metrics`)).status).toBe(401);
    const before = await scrape();
    const successes = (text: string) => sampleValue(text, 'tidemark_attempts_total', { outcome: 'success' });
    // The worker counts an attempt once its finish is recorded, so the run can be success (the
    // scheduler saw the TI's) a moment before its attempt is counted: wait for the count.
    const scrapeOnceCounted = (attempts: number) =>
      waitUntil(async () => {
        const text = await scrape();
        return successes(text) - successes(before) >= attempts && text;
      }, `${attempts} successful attempt(s) in tidemark_attempts_total`);

    await triggerDagRun(world.database, { dagId: 'e2e_observed_writes', runId: 'writes' });
    expect(await world.waitForRunFinished('e2e_observed_writes', 'writes')).toBe('success');
    const afterWrites = await scrapeOnceCounted(1);
    const moved = (name: string, labels: Record<string, string>, text = afterWrites, from = before) =>
      sampleValue(text, name, labels) - sampleValue(from, name, labels);
    const setsOk = { scope: 'task', operation: 'set', outcome: 'ok' };
    expect(moved('tidemark_state_operation_duration_seconds_count', setsOk)).toBe(7);
    expect(moved('tidemark_attempts_total', { outcome: 'success' })).toBe(1);
    expect(moved('tidemark_attempt_overhead_seconds_count', {})).toBe(1);
    expect(moved('tidemark_attempt_claim_wait_seconds_count', {})).toBe(1);
    expect(
      sampleValue(afterWrites, 'tidemark_scheduler_loop_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(sampleValue(afterWrites, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    await triggerDagRun(world.database, { dagId: 'e2e_observed_patterns', runId: 'patterns' });
    expect(await world.waitForRunFinished('e2e_observed_patterns', 'patterns')).toBe('success');
    expect(await world.xcom('e2e_observed_patterns', 'patterns', 'patterns')).toEqual({
      decision: 'fresh_submit',
      seen: 10,
    });
    const afterPatterns = await scrapeOnceCounted(2);
    const movedByPatterns = (name: string, labels: Record<string, string> = {}) =>
      moved(name, labels, afterPatterns, afterWrites);
    expect(movedByPatterns('tidemark_resumable_decisions_total', { decision: 'fresh_submit' })).toBe(1);
    expect(movedByPatterns('tidemark_resumable_decisions_total', { decision: 'reattach' })).toBe(0);
    expect(movedByPatterns('tidemark_checkpoint_progress_writes_total')).toBeGreaterThanOrEqual(1);
    expect(movedByPatterns('tidemark_attempts_total', { outcome: 'success' })).toBe(1);

    // The trace: worker attempt span → a client span per relayed state set → the api-server's
    // request span (continued from traceparent) → its state backend span, one trace id throughout.
    const { traceParent } = (await world.xcom('e2e_observed_writes', 'writes', 'writer')) as { traceParent: string };
    const attempt = await waitUntil(
      () =>
        collector?.spans.find(
          (span) => span.name === 'task attempt' && span.attributes.dag_id === 'e2e_observed_writes',
        ),
      'the attempt span to be exported',
    );
    expect(attempt.attributes).toMatchObject({ task_id: 'writer', try_number: 1, run_id: 'writes' });
    expect(attempt.service).toBe('tidemark-standalone');
    expect(traceParent).toBe(`00-${attempt.traceId}-${attempt.spanId}-01`);
    const inTrace = () => (collector?.spans ?? []).filter((span) => span.traceId === attempt.traceId);
    const childrenOf = (parent: CollectedSpan, name: string) =>
      inTrace().filter((span) => span.parentSpanId === parent.spanId && span.name === name);
    await waitUntil(
      () => inTrace().filter((span) => span.name === 'state.set' && span.kind !== CLIENT).length >= 7,
      'the server spans of the 7 writes to be exported',
    );
    const relayed = childrenOf(attempt, 'state.set');
    expect(relayed).toHaveLength(7);
    for (const client of relayed) {
      expect(client.kind).toBe(CLIENT);
      const [request] = childrenOf(client, 'PUT /execution/store/ti/:ti_id/:key');
      expect(request?.kind).toBe(SERVER);
      expect(request?.attributes['http.response.status_code']).toBe(204);
      expect(request && childrenOf(request, 'state.set')).toHaveLength(1);
    }
    expect(childrenOf(attempt, 'finish')).toHaveLength(1);
  });
});
