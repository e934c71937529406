import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetadataDatabase } from '@tidemark/db';
import { ServerMetrics } from '@tidemark/server';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SchedulerMetrics } from './scheduler-metrics.ts';
import { WorkerMetrics } from './worker-metrics.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** Every Tidemark metric of every process kind, without collecting (no database needed). */
function allMetrics() {
  const registry = new Registry();
  new ServerMetrics(registry, {} as MetadataDatabase, Date.now, pino({ level: 'silent' }));
  new SchedulerMetrics(registry);
  new WorkerMetrics(registry);
  return registry.getMetricsAsArray().map((metric) => ({ name: metric.name, type: String(metric.type) }));
}

function mentionedMetrics(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\btidemark_[a-z_]+/g)].map((match) => match[0].replace(/_(bucket|count|sum)$/, '')),
  );
}

describe('metric names', () => {
  const metrics = allMetrics();
  const names = metrics.map((metric) => metric.name);

  it('follow the Prometheus conventions: tidemark_ prefix, counters end in _total, histograms in _seconds', () => {
    for (const { name, type } of metrics) {
      expect(name).toMatch(/^tidemark_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });

  it('the README lists every metric, and names no metric that does not exist', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Observability'), readme.indexOf('## Configuration'));
    const mentioned = mentionedMetrics(section);
    expect([...mentioned].sort()).toEqual([...names].sort());
  });

  it('the Grafana dashboard queries only metrics that exist', () => {
    const dashboard = readFileSync(join(ROOT, 'docs', 'grafana', 'tidemark-dashboard.json'), 'utf8');
    const queried = mentionedMetrics(dashboard);
    expect(queried.size).toBeGreaterThan(10);
    for (const name of queried) expect(names).toContain(name);
  });
});
