import { timingSafeEqual } from 'node:crypto';

/**
 * `metrics.bearer_token`: with no token configured every scrape is accepted (Prometheus's usual
 * unauthenticated `/metrics`); with one, the `Authorization` header must be `Bearer <token>`.
 * Compared in constant time.
 */
export function metricsScrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  if (authorization === undefined) return false;
  const presented = Buffer.from(authorization.replace(/^Bearer\s+/i, ''), 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return (
    presented.length === expected.length && timingSafeEqual(presented, expected) && /^Bearer\s/i.test(authorization)
  );
}

/** The body of a refused scrape: what to configure. */
export const METRICS_TOKEN_REQUIRED =
  'this metrics endpoint needs "Authorization: Bearer <metrics.bearer_token>"; give Prometheus the token ' +
  '(scrape_config `authorization: {credentials: …}`)';
