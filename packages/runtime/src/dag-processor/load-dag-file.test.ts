import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDagFile } from './load-dag-file.ts';
import { sdkDagsFolder } from './testing/sdk-dags-folder.ts';
import type { TempDagsFolder } from './testing/temp-dags-folder.ts';

// In-process: loadDagFile is what the parser process runs for each file.
describe('loadDagFile with @tidemark/sdk DAG files', () => {
  let folder: TempDagsFolder;
  beforeEach(() => {
    folder = sdkDagsFolder();
  });
  afterEach(() => folder.destroy());

  it('loads an exported DAG', async () => {
    const path = folder.write(
      'exported.ts',
      "import { dag } from '@tidemark/sdk';\nconst d = dag('exported', {});\nd.task('a', async () => 1);\nexport default d;\n",
    );

    const parsed = await loadDagFile(path, 'exported.ts');

    expect(parsed.errors).toEqual([]);
    expect(parsed.dags.map((found) => found.dag.dagId)).toEqual(['exported']);
  });

  it('makes a file that defines a DAG but exports none an import error that names the DAG and the fix', async () => {
    const path = folder.write(
      'forgotten.ts',
      "import { dag } from '@tidemark/sdk';\n\nconst d = dag('forgotten', {});\nd.task('a', async () => 1);\n",
    );

    const parsed = await loadDagFile(path, 'forgotten.ts');

    expect(parsed.dags).toEqual([]);
    expect(parsed.importFailed).toBe(true);
    expect(parsed.errors).toEqual([
      {
        fileloc: 'forgotten.ts',
        line: 3,
        message: expect.stringMatching(/defines DAG "forgotten" .*exports no DAG.*export default/),
      },
    ]);
  });

  it('does not blame a file for the DAGs of a module it imports, nor a helper module that defines none', async () => {
    folder.write('shared.ts', "import { dag } from '@tidemark/sdk';\nexport const shared = dag('shared', {});\n");
    const helper = folder.write('helper.ts', "import './shared.ts';\nexport const retries = 3;\n");

    const parsed = await loadDagFile(helper, 'helper.ts');

    expect(parsed).toEqual({ fileloc: 'helper.ts', dags: [], errors: [], importFailed: false, brokenDagIds: [] });
  });
});
