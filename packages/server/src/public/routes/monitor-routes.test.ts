import { healthResponseSchema, TIDEMARK_VERSION, versionResponseSchema } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detailOf, openPublicApiHarness, type PublicApiHarness } from '../../testing/dag-api-harness.ts';

describe.each(eachDialect())('monitor routes on %s', (dialect) => {
  let harness: PublicApiHarness;

  beforeEach(async () => {
    harness = await openPublicApiHarness(dialect);
  });
  afterEach(() => harness.close().catch(() => undefined));

  describe('GET /api/v2/health', () => {
    it('reports a healthy metadata database, without a token', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/health', role: 'none' });
      expect(response.statusCode).toBe(200);
      expect(healthResponseSchema.parse(response.json())).toEqual({
        metadatabase: { status: 'healthy' },
        scheduler: { status: null, latest_scheduler_heartbeat: null },
      });
    });

    it('reports an unhealthy metadata database when it does not answer', async () => {
      await harness.database.close();
      const response = await harness.request({ method: 'GET', url: '/api/v2/health', role: 'none' });
      expect(response.statusCode).toBe(200);
      expect(response.json().metadatabase).toEqual({ status: 'unhealthy' });
    });
  });

  describe('GET /api/v2/version', () => {
    it('answers the version to any user', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/version', role: 'viewer' });
      expect(response.statusCode).toBe(200);
      expect(versionResponseSchema.parse(response.json())).toEqual({ version: TIDEMARK_VERSION, git_version: null });
    });

    it('answers 401 without a token or with an expired one', async () => {
      const anonymous = await harness.request({ method: 'GET', url: '/api/v2/version', role: 'none' });
      expect(anonymous.statusCode).toBe(401);
      expect(detailOf(anonymous).reason).toBe('invalid_token');

      const token = harness.token('admin');
      harness.clock.advance(2 * 3_600_000);
      const expired = await harness.request({
        method: 'GET',
        url: '/api/v2/version',
        role: 'none',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(expired.statusCode).toBe(401);
    });
  });
});
