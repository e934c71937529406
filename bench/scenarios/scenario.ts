import type { DialectName } from '@tidemark/db';
import type { BenchRow } from '../harness/bench-results.ts';

export interface ScenarioOptions {
  readonly postgresUrl?: string | undefined;
  readonly quick: boolean;
  /** Figures one scenario leaves for a later one in the same run (`set_p50:<dialect>`). */
  readonly shared: Map<string, number>;
}

export interface Scenario {
  readonly ids: readonly string[];
  readonly name: string;
  /** False: run once, on the first dialect asked for. */
  readonly perDialect: boolean;
  run(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]>;
}
