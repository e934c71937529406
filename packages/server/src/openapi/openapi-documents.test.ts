import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecutionHarness, openExecutionHarness } from '../testing/execution-harness.ts';

describe('the OpenAPI documents (SPEC §11; issue 13, item 10)', () => {
  let harness: ExecutionHarness;
  beforeAll(async () => {
    harness = await openExecutionHarness('sqlite');
  });
  afterAll(() => harness.close());

  it('serves the execution API document at /execution/openapi.json with every execution route', async () => {
    const response = await harness.request({ method: 'GET', url: '/execution/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths['/execution/store/ti/{ti_id}/{key}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
    expect(Object.keys(document.paths['/execution/store/dag/{dag_id}/{key}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
    expect(document.paths['/execution/workloads/claim']).toHaveProperty('post');
    expect(document.paths['/execution/task-instances/{ti_id}/state']).toHaveProperty('patch');
    expect(Object.keys(document.paths).every((path) => path.startsWith('/execution/'))).toBe(true);
  });

  it('keeps the execution routes out of the public document', async () => {
    const response = await harness.request({ method: 'GET', url: '/api/v2/openapi.json' });
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toContain('/api/v2/dags');
    expect(paths).toContain('/api/v2/dags/{dag_id}/state-store/{key}/history/{version}/restore');
    expect(paths.filter((path) => path.startsWith('/execution'))).toEqual([]);
  });
});
