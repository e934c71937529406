import { eachDialect } from '@tidemark/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deeplyNested, invalidUtf8Body, oddJsonText, oddUrlValue } from '../testing/odd-inputs.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import {
  openTaskInstanceHarness,
  seedOrdersRun,
  type TaskInstanceHarness,
  updateTi,
} from '../testing/task-instance-test-kit.ts';
import { triggererToken } from '../testing/watcher-test-kit.ts';

/**
 * Fuzzes every route of both APIs (from the OpenAPI document of the running app) with odd inputs:
 * NUL bytes, out-of-range and negative integers, deep nesting, invalid UTF-8, very long strings,
 * wrong types, `.`/`..`, Unicode. No answer may be a 5xx, and every 4xx must carry the documented
 * `{detail: {reason, message}}` body. TIDEMARK_FUZZ_REQUESTS sets the count per dialect,
 * TIDEMARK_FUZZ_SEED the seed (printed with any failure, to replay it).
 */
const REQUESTS = Number(process.env.TIDEMARK_FUZZ_REQUESTS ?? 1_500);
const SEED = Number(process.env.TIDEMARK_FUZZ_SEED ?? 20_261_205);
/** A fresh run and attempt every so often, so that deletes, clears and finishes don't starve the rest. */
const RESEED_EVERY = 150;

interface FuzzRoute {
  readonly method: string;
  /** With `{param}` placeholders. */
  readonly path: string;
  readonly queryNames: readonly string[];
  readonly bodyFields: readonly string[];
}

interface World {
  runId: string;
  tiId: string;
  attemptToken: string;
}

interface Failure {
  readonly route: string;
  readonly request: string;
  readonly status: number;
  readonly body: string;
  readonly error?: string;
}

/** One example per route and status, so that a report stays readable. */
function firstOfEachKind(failures: readonly Failure[]): Failure[] {
  const seen = new Map<string, Failure>();
  for (const failure of failures) {
    const kind = `${failure.route} ${failure.status}`;
    if (!seen.has(kind)) seen.set(kind, failure);
  }
  return [...seen.values()].slice(0, 40);
}

/** Query names the execution API reads without declaring them in its document. */
const EXECUTION_QUERY_NAMES = ['name', 'uri', 'key', 'task_id', 'map_index'];
/** Body fields of the execution API (its routes validate with core's contracts by hand). */
const EXECUTION_BODY_FIELDS = [
  'value',
  'expires_at',
  'retention',
  'if_version',
  'on_success',
  'worker',
  'wait_ms',
  'state',
  'return_value',
  'error',
  'retryable',
  'reason',
  'lines',
  'hostname',
  'capacity',
  'idle_polls',
  'lease',
  'polled_at',
  'outcome',
  'events',
];
/** Paths no route serves, and documents served outside the route list. */
const EXTRA_ROUTES: FuzzRoute[] = [
  { method: 'GET', path: '/execution/openapi.json', queryNames: [], bodyFields: [] },
  { method: 'GET', path: '/api/v2/openapi.json', queryNames: [], bodyFields: [] },
  { method: 'GET', path: '/api/v2/{param}', queryNames: [], bodyFields: [] },
  { method: 'POST', path: '/execution/{param}/{param}', queryNames: [], bodyFields: ['value'] },
];

describe.each(eachDialect())('request fuzzing (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  let routes: FuzzRoute[];
  let world: World;
  let reseeds = 0;
  const last: { error?: Error } = {};

  beforeAll(async () => {
    harness = await openTaskInstanceHarness(dialect);
    // The error behind a 5xx, for the report (the app logs nothing in tests).
    harness.app.addHook('onError', async (_request, _reply, error) => {
      last.error = error;
    });
    await harness.app.ready();
    routes = [...routesOf(harness.app.swagger()), ...EXTRA_ROUTES];
    world = await reseed(harness, reseeds++);
  });
  afterAll(async () => harness?.close());

  it(`answers ${REQUESTS} odd requests over every route without a 5xx, each 4xx with {detail: {reason, message}}`, {
    timeout: Math.max(120_000, REQUESTS * 60),
  }, async () => {
    const random = new SeededRandom(SEED);
    const failures: Failure[] = [];
    const covered = new Set<string>();
    const statuses = new Map<number, number>();
    for (let index = 0; index < REQUESTS; index++) {
      if (index > 0 && index % RESEED_EVERY === 0) world = await reseed(harness, reseeds++);
      const route = random.pick(routes);
      covered.add(`${route.method} ${route.path}`);
      const request = buildRequest(random, route, world, harness);
      last.error = undefined;
      const response = await harness.app.inject(request);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      const problem = problemOf(response);
      if (problem) {
        failures.push({
          route: `${route.method} ${route.path}`,
          request: `#${index} ${request.method} ${request.url.slice(0, 300)} ${describePayload(request.payload)}`,
          status: response.statusCode,
          body: response.body.slice(0, 300),
          ...(response.statusCode >= 500 ? { error: describeThrown(last.error).slice(0, 600) } : {}),
        });
      }
    }
    const fivexx = failures.filter((failure) => failure.status >= 500).length;
    console.log(
      `request fuzz (${dialect}, seed ${SEED}): ${REQUESTS} requests over ${covered.size} routes, ` +
        `${fivexx} × 5xx, ${failures.length - fivexx} × 4xx without a detail body; by status: ` +
        JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b))),
    );
    expect(firstOfEachKind(failures)).toEqual([]);
    const coveredPaths = [...covered].map((route) => route.split(' ')[1] ?? '');
    expect(coveredPaths.filter((path) => path.startsWith('/execution/')).length).toBeGreaterThan(15);
    expect(coveredPaths.filter((path) => path.startsWith('/api/v2/')).length).toBeGreaterThan(30);
  });
});

function routesOf(document: unknown): FuzzRoute[] {
  const paths = (document as { paths?: Record<string, Record<string, OpenApiOperation>> }).paths ?? {};
  const routes: FuzzRoute[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const execution = path.startsWith('/execution');
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const properties = operation.requestBody?.content?.['application/json']?.schema?.properties;
      routes.push({
        method: method.toUpperCase(),
        path,
        queryNames: execution ? EXECUTION_QUERY_NAMES : query,
        bodyFields: properties ? Object.keys(properties) : execution ? EXECUTION_BODY_FIELDS : [],
      });
    }
  }
  return routes;
}

interface OpenApiOperation {
  readonly parameters?: readonly { readonly in: string; readonly name: string }[];
  readonly requestBody?: {
    readonly content?: Record<string, { readonly schema?: { readonly properties?: Record<string, unknown> } }>;
  };
}

/** A new run of `orders` whose `extract` is claimed: a running attempt with its token. */
async function reseed(harness: TaskInstanceHarness, count: number): Promise<World> {
  const runId = `fuzz__${count}`;
  await seedOrdersRun(harness, { runId, mapped: 2 });
  await updateTi(harness, { runId, taskId: 'extract' }, { state: 'queued' });
  const attempt = await harness.claim();
  return { runId: attempt.run_id, tiId: attempt.ti_id, attemptToken: attempt.token };
}

function validPathValue(name: string, world: World): string {
  switch (name) {
    case 'dag_id':
      return 'orders';
    case 'dag_run_id':
    case 'run_id':
      return world.runId;
    case 'task_id':
      return 'extract';
    case 'ti_id':
      return world.tiId;
    case 'asset_id':
      return '1';
    case 'try_number':
      return '1';
    case 'xcom_key':
      return 'return_value';
    default:
      return 'k';
  }
}

function validQueryValue(name: string): string {
  switch (name) {
    case 'map_index':
      return '-1';
    case 'limit':
      return '10';
    case 'offset':
      return '0';
    case 'name':
      return 'orders';
    case 'uri':
      return encodeURIComponent('s3://warehouse/orders');
    case 'task_id':
      return 'extract';
    default:
      return 'k';
  }
}

interface FuzzRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string | Buffer;
}

function buildRequest(random: SeededRandom, route: FuzzRoute, world: World, harness: TaskInstanceHarness): FuzzRequest {
  const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    random.chance(0.5) ? validPathValue(name, world) : oddUrlValue(random),
  );
  const query = route.queryNames
    .filter(() => random.chance(0.5))
    .map((name) => `${name}=${random.chance(0.4) ? validQueryValue(name) : oddUrlValue(random)}`);
  if (random.chance(0.1)) query.push(`${oddUrlValue(random)}=${oddUrlValue(random)}`);
  const url = query.length > 0 ? `${path}?${query.join('&')}` : path;
  const headers: Record<string, string> = { authorization: `Bearer ${tokenFor(route, world, harness, random)}` };
  if (random.chance(0.1)) headers['if-match'] = random.pick(['"1"', '"0"', 'W/"1"', '"2147483648"', '"-1"', '*', '']);
  const method = route.method as FuzzRequest['method'];
  if (method === 'GET' || (method === 'DELETE' && random.chance(0.8))) return { method, url, headers };
  headers['content-type'] = random.chance(0.95)
    ? 'application/json'
    : random.pick(['text/plain', 'application/x-www-form-urlencoded']);
  return { method, url, headers, payload: bodyFor(random, route) };
}

function tokenFor(route: FuzzRoute, world: World, harness: TaskInstanceHarness, random: SeededRandom): string {
  if (random.chance(0.03)) return random.pick(['', 'x.y.z', world.attemptToken.slice(0, -2)]);
  if (route.path.endsWith('/workloads/claim')) return harness.workerToken;
  if (/^\/execution\/(triggerers|watchers|deferrals)\//.test(route.path)) return triggererToken('k');
  if (route.path.startsWith('/execution')) return world.attemptToken;
  return harness.token('admin');
}

function bodyFor(random: SeededRandom, route: FuzzRoute): string | Buffer {
  switch (random.below(10)) {
    case 0:
      return invalidUtf8Body(random, route.bodyFields);
    case 1:
      return deeplyNested(random.pick([64, 65, 2_000, 5_000]), random.pick(['array', 'object', 'mixed']));
    case 2:
      return oddJsonText(random);
    case 3:
      return random.pick(['', '{', 'not json', '{"a":1}{"b":2}', '\u0000']);
    default: {
      const fields = route.bodyFields.filter(() => random.chance(0.6));
      const parts = fields.map((field) => `${JSON.stringify(field)}:${oddJsonText(random)}`);
      return `{${parts.join(',')}}`;
    }
  }
}

/** What is wrong with an answer, or undefined when it is fine. */
function problemOf(response: LightMyRequestResponse): string | undefined {
  if (response.statusCode >= 500) return '5xx';
  if (response.statusCode < 400) return undefined;
  try {
    const detail = (response.json() as { detail?: { reason?: unknown; message?: unknown } }).detail;
    if (typeof detail?.reason === 'string' && typeof detail.message === 'string') return undefined;
  } catch {
    // not JSON
  }
  return '4xx without detail';
}

function describePayload(payload: string | Buffer | undefined): string {
  if (payload === undefined) return '';
  const text = typeof payload === 'string' ? payload : `bytes:${payload.toString('latin1')}`;
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text;
}

function describeThrown(error: Error | undefined): string {
  return String(error?.stack ?? error);
}
