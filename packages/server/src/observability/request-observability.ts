import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerMetrics } from './server-metrics.ts';

export interface RequestObservability {
  /** Omitted: no HTTP metrics (`metrics.enabled = false`). */
  readonly metrics?: ServerMetrics | undefined;
  /** Server spans for API requests, continuing the caller's trace from `traceparent`. */
  readonly tracing: boolean;
}

/** Only API requests are traced: a span per UI file, docs page or scrape would only be noise. */
const TRACED_PREFIXES = ['/execution', '/api', '/auth'];

interface RequestSpan {
  readonly span: Span;
  readonly context: Context;
}

/**
 * App-level hooks (added before the APIs are registered, so every route has them): the duration of
 * each request by method, route template and status, and with tracing a server span per API request
 * whose parent is the caller's `traceparent` (a worker's supervisor sends the span of the state
 * operation it relays). The span is made the active context for the route's handler, so the state
 * backend's spans become its children.
 */
export function installRequestObservability(app: FastifyInstance, options: RequestObservability): void {
  const { metrics } = options;
  if (metrics) {
    app.addHook('onResponse', (request, reply, done) => {
      metrics.httpRequest(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
  if (!options.tracing) return;
  const tracer = trace.getTracer('tidemark-api-server');
  const spans = new WeakMap<FastifyRequest, RequestSpan>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined && TRACED_PREFIXES.some((prefix) => route.startsWith(prefix))) {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const span = tracer.startSpan(
        `${request.method} ${route}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
        parent,
      );
      spans.set(request, { span, context: trace.setSpan(parent, span) });
    }
    done();
  });
  // Body parsing loses the async context, so the span becomes active here, just before the handler.
  app.addHook('preHandler', (request, _reply, done) => {
    const traced = spans.get(request);
    if (traced) context.with(traced.context, done);
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    endSpan(spans.get(request), request, reply);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const traced = spans.get(request);
    traced?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client aborted the request' });
    traced?.span.end();
    done();
  });
}

function endSpan(traced: RequestSpan | undefined, request: FastifyRequest, reply: FastifyReply): void {
  if (!traced) return;
  const { span } = traced;
  span.setAttribute('http.response.status_code', reply.statusCode);
  const token = request.executionToken as { sub?: unknown; try?: unknown } | null | undefined;
  if (token && typeof token.sub === 'string') span.setAttribute('tidemark.ti_id', token.sub);
  if (token && typeof token.try === 'number') span.setAttribute('try_number', token.try);
  if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}
