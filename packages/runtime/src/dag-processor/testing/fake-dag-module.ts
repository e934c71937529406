import type { AssetReference } from '@tidemark/core';
import { serializedTask } from '@tidemark/db/testing';

/**
 * DAG files for tests that do not need the SDK: plain objects with the SDK's contract (the
 * `tidemark.dag` brand, `dagId`, `definedAt`, `serialize`).
 */
export interface FakeTask {
  readonly taskId: string;
  readonly upstream?: readonly string[];
  readonly inlets?: readonly AssetReference[];
  readonly outlets?: readonly AssetReference[];
}

export interface FakeDag {
  readonly dagId: string;
  readonly schedule?: string | null;
  readonly description?: string | null;
  readonly tasks?: readonly FakeTask[];
  /** `serialize` throws a DagDefinitionError, as the SDK does for a cycle. */
  readonly cycle?: boolean;
  /** `default`, or the name of a named export. */
  readonly exportAs?: string;
}

const PRELUDE = [
  "const brand = Symbol.for('tidemark.dag');",
  'function cycleError(dagId) {',
  "  const error = new Error('DAG \"' + dagId + '\" has a cycle: a -> b -> a');",
  "  error.name = 'DagDefinitionError';",
  "  error.code = 'dag_definition_error';",
  '  return error;',
  '}',
  'function fakeDag(spec, line) {',
  '  return {',
  '    [brand]: true,',
  '    dagId: spec.dagId,',
  '    definedAt: { file: import.meta.url, line },',
  '    serialize(fileloc) {',
  '      if (spec.cycle) throw cycleError(spec.dagId);',
  '      return { ...spec.serialized, fileloc };',
  '    },',
  '  };',
  '}',
];

/** The module's source; the DAG `dags[i]` is defined on line `fakeDagLine(i)`. */
export function fakeDagModule(...dags: FakeDag[]): string {
  const definitions = dags.map((dag, index) => {
    const target = (dag.exportAs ?? 'default') === 'default' ? 'export default' : `export const ${dag.exportAs} =`;
    const spec = { dagId: dag.dagId, cycle: dag.cycle ?? false, serialized: serializedFakeDag(dag) };
    return `${target} fakeDag(${JSON.stringify(spec)}, ${fakeDagLine(index)});`;
  });
  return `${[...PRELUDE, ...definitions].join('\n')}\n`;
}

export function fakeDagLine(index: number): number {
  return PRELUDE.length + index + 1;
}

/** What `serialize('')` of the fake DAG returns (the processor fills in the fileloc). */
export function serializedFakeDag(dag: FakeDag) {
  return {
    dagId: dag.dagId,
    fileloc: '',
    schedule: dag.schedule ?? null,
    startDate: null,
    catchup: false,
    description: dag.description ?? null,
    tags: [],
    tasks: (dag.tasks ?? [{ taskId: 'only' }]).map((task) =>
      serializedTask(task.taskId, {
        upstreamTaskIds: [...(task.upstream ?? [])],
        inlets: [...(task.inlets ?? [])],
        outlets: [...(task.outlets ?? [])],
      }),
    ),
  };
}
