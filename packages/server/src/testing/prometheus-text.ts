/**
 * Reads Prometheus's text exposition format (what GET /metrics answers) for tests: every sample
 * line as a name, its labels and its value.
 */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The value of the one sample named `name` whose labels include `labels`; 0 when there is none (a
 * counter or histogram series appears only once it moved). Throws when several samples match.
 */
export function sampleValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const matching = parsePrometheusText(text).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (matching.length > 1) {
    throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}; name more labels`);
  }
  return matching[0]?.value ?? 0;
}

/** How many series (distinct label sets) the metric family has, its `_bucket`/`_sum`/`_count` lines counted once. */
export function seriesCount(text: string, family: string): number {
  const keys = new Set<string>();
  for (const sample of parsePrometheusText(text)) {
    const base = sample.name.replace(/_(bucket|sum|count)$/, '');
    if (base !== family && sample.name !== family) continue;
    const { le: _bucketBound, ...labels } = sample.labels;
    keys.add(JSON.stringify(Object.entries(labels).sort()));
  }
  return keys.size;
}
