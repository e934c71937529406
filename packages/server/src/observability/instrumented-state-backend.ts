import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isApiErrorCode, type StateBackend, type StateScope, TidemarkError } from '@tidemark/core';
import { isDatabaseOutage } from '@tidemark/db';
import type { ServerMetrics } from './server-metrics.ts';

/** The backend calls that are state operations; `cleanup` is garbage collection, measured by the scheduler. */
const TIMED_OPERATIONS = new Set(['get', 'set', 'delete', 'clear', 'list', 'advance', 'history']);

export interface StateBackendInstrumentation {
  /** Omitted: no metrics (`metrics.enabled = false`). */
  readonly metrics?: ServerMetrics | undefined;
  /** A span per operation, a child of the request's span (`tracing.otlp_endpoint` set). */
  readonly tracing: boolean;
}

/**
 * The server's state backend with a timer around each operation: latency by scope kind, operation
 * and outcome (`ok`, `state_not_found` for a read of a missing key, else the error's code), and a
 * span when tracing is on. A Proxy rather than a wrapper class, so `instanceof MetastoreStateBackend`
 * (staged writes are applied in the success transaction only for it) still holds, and every other
 * member passes through untouched, bound to the backend itself.
 */
export function instrumentStateBackend(
  backend: StateBackend,
  instrumentation: StateBackendInstrumentation,
): StateBackend {
  if (!instrumentation.metrics && !instrumentation.tracing) return backend;
  const tracer = trace.getTracer('tidemark-api-server');
  const timed = new Map<PropertyKey, unknown>();
  return new Proxy(backend, {
    get(target, property) {
      const member = Reflect.get(target, property, target) as unknown;
      if (typeof member !== 'function') return member;
      let wrapped = timed.get(property);
      if (wrapped === undefined) {
        const method = member as (...args: unknown[]) => Promise<unknown>;
        wrapped = TIMED_OPERATIONS.has(String(property))
          ? (...args: unknown[]) => timeOperation(String(property), args, () => method.apply(target, args))
          : method.bind(target);
        timed.set(property, wrapped);
      }
      return wrapped;
    },
  });

  async function timeOperation(operation: string, args: unknown[], call: () => Promise<unknown>): Promise<unknown> {
    const scope = (args[0] as StateScope | undefined)?.kind ?? 'unknown';
    const span = instrumentation.tracing ? startSpan(operation, scope) : undefined;
    const started = performance.now();
    try {
      const result = await call();
      finish(scope, operation, operation === 'get' && result === undefined ? 'state_not_found' : 'ok', started, span);
      return result;
    } catch (error) {
      finish(scope, operation, outcomeOf(error), started, span, error);
      throw error;
    }
  }

  function startSpan(operation: string, scope: string): Span {
    return tracer.startSpan(`state.${operation}`, {
      kind: SpanKind.INTERNAL,
      attributes: { 'tidemark.state.scope': scope, 'tidemark.state.operation': operation },
    });
  }

  function finish(scope: string, operation: string, outcome: string, started: number, span?: Span, error?: unknown) {
    instrumentation.metrics?.stateOperation(scope, operation, outcome, (performance.now() - started) / 1000);
    if (!span) return;
    span.setAttribute('tidemark.state.outcome', outcome);
    if (error !== undefined && outcome === 'internal_error') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    span.end();
  }
}

/** An error's code when it is one the API answers with (a closed set); else 503 or 500's code. */
function outcomeOf(error: unknown): string {
  if (error instanceof TidemarkError && isApiErrorCode(error.code)) return error.code;
  if (isDatabaseOutage(error)) return 'database_unavailable';
  return 'internal_error';
}
