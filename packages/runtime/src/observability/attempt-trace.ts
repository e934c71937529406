import {
  type Context,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { ClaimedAttempt } from '@tidemark/core';

const tracer = trace.getTracer('tidemark-worker');

/**
 * The trace of one attempt, kept by its supervisor: a span for the whole attempt (attributes
 * `dag_id`, `task_id`, `try_number`, …) and a child span for each request relayed for the task
 * (a state operation, an XCom) and for the finish. The execution API requests made inside a child
 * carry it as `traceparent`, so the api-server's spans join the same trace. With tracing off these
 * are OpenTelemetry's no-op spans.
 */
export class AttemptTrace {
  readonly #span: Span;
  readonly #context: Context;

  constructor(claimed: ClaimedAttempt) {
    this.#span = tracer.startSpan(
      'task attempt',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          dag_id: claimed.dag_id,
          run_id: claimed.run_id,
          task_id: claimed.task_id,
          map_index: claimed.map_index,
          try_number: claimed.try_number,
          'tidemark.ti_id': claimed.ti_id,
        },
      },
      ROOT_CONTEXT,
    );
    this.#context = trace.setSpan(ROOT_CONTEXT, this.#span);
  }

  /** The attempt span as a W3C `traceparent`, for the task process; undefined when nothing is recorded. */
  get traceParent(): string | undefined {
    const span = this.#span.spanContext();
    if (!isSpanContextValid(span) || !this.#span.isRecording()) return undefined;
    return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
  }

  /**
   * Runs `work` in a child span (`name`, e.g. `state.set`); `failed` says from its result whether
   * it failed (the relay answers errors instead of throwing).
   */
  async child<T>(
    name: string,
    attributes: Record<string, string | number>,
    work: () => Promise<T>,
    failed?: (result: T) => string | undefined,
  ): Promise<T> {
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, this.#context);
    try {
      const result = await context.with(trace.setSpan(this.#context, span), work);
      const failure = failed?.(result);
      if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  end(outcome: string): void {
    this.#span.setAttribute('tidemark.attempt.outcome', outcome);
    if (outcome !== 'success' && outcome !== 'skipped')
      this.#span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    this.#span.end();
  }
}
