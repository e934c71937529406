import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDagFiles } from './parse-dag-files.ts';
import { fakeDagLine, fakeDagModule, serializedFakeDag } from './testing/fake-dag-module.ts';
import { TempDagsFolder } from './testing/temp-dags-folder.ts';

describe('parseDagFiles', () => {
  let folder: TempDagsFolder;
  beforeEach(() => {
    folder = new TempDagsFolder();
  });
  afterEach(() => folder.destroy());

  it('serializes the DAGs a file exports, default and named, with fileloc relative to the folder', async () => {
    const etl = { dagId: 'etl', schedule: '@daily', tasks: [{ taskId: 'a' }, { taskId: 'b', upstream: ['a'] }] };
    const report = { dagId: 'report', exportAs: 'report' };
    folder.write('team/etl.ts', fakeDagModule(etl, report));
    folder.write('helpers.ts', 'export const retries = 3;\nexport default { retries };\n');

    const result = await parseDagFiles(['team/etl.ts', `${folder.path}/helpers.ts`], folder.path);

    expect(result.errors).toEqual([]);
    expect(result.dags).toEqual([
      { ...serializedFakeDag(etl), fileloc: 'team/etl.ts' },
      { ...serializedFakeDag(report), fileloc: 'team/etl.ts' },
    ]);
  });

  it('reports a TypeScript syntax error with its line and reason while the other files load', async () => {
    folder.write('broken.ts', 'const a = 1;\nconst b: number = ;\nexport default a;\n');
    folder.write('good.ts', fakeDagModule({ dagId: 'good' }));

    const result = await parseDagFiles(['broken.ts', 'good.ts'], folder.path);

    expect(result.dags.map((dag) => dag.dagId)).toEqual(['good']);
    expect(result.errors).toEqual([
      { fileloc: 'broken.ts', line: 2, message: expect.stringMatching(/does not compile: Unexpected ";"/) },
    ]);
  });

  it('reports the line of a syntax error in a JavaScript module', async () => {
    folder.write('broken.mjs', 'const a = 1;\n\nconst b = {;\n');

    const result = await parseDagFiles(['broken.mjs'], folder.path);

    expect(result.errors).toEqual([{ fileloc: 'broken.mjs', line: 3, message: "SyntaxError: Unexpected token ';'" }]);
  });

  it('reports a module that throws while it is imported (a duplicate task id) at the throwing line', async () => {
    const source = [
      'function task(id) {',
      '  if (id === \'a\') throw new Error(\'task id "a" is defined twice in DAG "etl"\');',
      '}',
      "task('a');",
    ];
    folder.write('duplicate-task.ts', `${source.join('\n')}\n`);

    const result = await parseDagFiles(['duplicate-task.ts'], folder.path);

    expect(result).toEqual({
      dags: [],
      errors: [{ fileloc: 'duplicate-task.ts', line: 2, message: 'Error: task id "a" is defined twice in DAG "etl"' }],
    });
  });

  it('reports a DAG whose serialize throws (a cycle) at the line that defined it, and keeps its file-mates', async () => {
    folder.write('cycle.ts', fakeDagModule({ dagId: 'fine' }, { dagId: 'looping', cycle: true, exportAs: 'looping' }));

    const result = await parseDagFiles(['cycle.ts'], folder.path);

    expect(result.dags.map((dag) => dag.dagId)).toEqual(['fine']);
    expect(result.errors).toEqual([
      {
        fileloc: 'cycle.ts',
        line: fakeDagLine(1),
        message: 'DagDefinitionError: DAG "looping" has a cycle: a -> b -> a',
      },
    ]);
  });

  it('gives a DAG id defined in two files to the first and reports the second', async () => {
    folder.write('a.ts', fakeDagModule({ dagId: 'etl', schedule: '@hourly' }));
    folder.write('b.ts', fakeDagModule({ dagId: 'etl', schedule: '@daily' }));

    const result = await parseDagFiles(['b.ts', 'a.ts'], folder.path);

    expect(result.dags).toEqual([expect.objectContaining({ dagId: 'etl', fileloc: 'a.ts', schedule: '@hourly' })]);
    expect(result.errors).toEqual([
      { fileloc: 'b.ts', line: fakeDagLine(0), message: expect.stringContaining('"etl" is already defined in a.ts') },
    ]);
  });

  it('finds nothing, and no error, in a file that exports no DAG', async () => {
    folder.write('util.ts', 'export function add(a: number, b: number) { return a + b; }\n');

    expect(await parseDagFiles(['util.ts'], folder.path)).toEqual({ dags: [], errors: [] });
  });

  it('kills a parser stuck on a hanging file, reports that file and still loads the files after it', async () => {
    folder.write('a.ts', fakeDagModule({ dagId: 'first' }));
    folder.write('b-hangs.ts', 'await new Promise(() => {});\n');
    folder.write('c.ts', fakeDagModule({ dagId: 'last' }));
    const started = Date.now();

    const result = await parseDagFiles(['a.ts', 'b-hangs.ts', 'c.ts'], folder.path, { fileTimeoutMs: 1_500 });

    expect(result.dags.map((dag) => dag.dagId)).toEqual(['first', 'last']);
    expect(result.errors).toEqual([
      { fileloc: 'b-hangs.ts', line: null, message: expect.stringContaining('did not finish within 1500 ms') },
    ]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('reports a file that ends the parser process and still loads the others', async () => {
    folder.write('a-exits.ts', 'process.exit(3);\n');
    folder.write('b.ts', fakeDagModule({ dagId: 'survivor' }));

    const result = await parseDagFiles(['a-exits.ts', 'b.ts'], folder.path);

    expect(result.dags.map((dag) => dag.dagId)).toEqual(['survivor']);
    expect(result.errors).toEqual([
      { fileloc: 'a-exits.ts', line: null, message: expect.stringContaining('exited (code 3) while importing') },
    ]);
  });

  it('imports the code as it is now on every call, not a cached module', async () => {
    folder.write('etl.ts', fakeDagModule({ dagId: 'etl', schedule: '@daily' }));
    const before = await parseDagFiles(['etl.ts'], folder.path);
    folder.write('etl.ts', fakeDagModule({ dagId: 'etl', schedule: '@hourly' }));

    const after = await parseDagFiles(['etl.ts'], folder.path);

    expect(before.dags[0]?.schedule).toBe('@daily');
    expect(after.dags[0]?.schedule).toBe('@hourly');
  });
});
