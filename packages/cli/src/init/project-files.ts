import { TIDEMARK_VERSION } from '@tidemark/core';

/** The first DAG of a new project: a task that keeps its progress in task state across retries. */
export const FIRST_DAG_FILE = 'dags/hello_state.ts';
export const FIRST_DAG_ID = 'hello_state';

/** What `tidemark init` writes, path (relative to the project folder) → content. */
export function projectFiles(projectName: string): ReadonlyMap<string, string> {
  return new Map([
    ['package.json', packageJson(projectName)],
    ['tsconfig.json', TSCONFIG],
    [FIRST_DAG_FILE, FIRST_DAG],
    ['.gitignore', GITIGNORE],
    ['README.md', readme(projectName)],
  ]);
}

/** An npm package name from a folder name: lower case, letters, digits, `-`, `_` and `.`. */
export function packageNameOf(folderName: string): string {
  const name = folderName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return name || 'tidemark-project';
}

function packageJson(name: string): string {
  const project = {
    name,
    version: '0.1.0',
    private: true,
    // DAG files are ES modules.
    type: 'module',
    scripts: {
      start: 'tidemark standalone --dags-folder dags',
      typecheck: 'tsc --noEmit',
    },
    dependencies: {
      '@tidemark/cli': `^${TIDEMARK_VERSION}`,
      [SDK_PACKAGE]: `^${TIDEMARK_VERSION}`,
    },
    devDependencies: {
      '@types/node': '^20.19.0',
      typescript: '^5.9.0',
    },
    engines: { node: '>=20.19' },
    // npm 11 asks before it runs install scripts: better-sqlite3 compiles, esbuild (tsx's) checks its binary.
    allowScripts: { 'better-sqlite3': true, esbuild: true },
  };
  return `${JSON.stringify(project, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2023',
      lib: ['ES2024'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
    },
    include: ['dags/**/*.ts'],
  },
  null,
  2,
)}\n`;

// The package the project's DAG files import (not a dependency of the CLI itself).
const SDK_PACKAGE = '@tidemark/sdk';

const FIRST_DAG = `import { dag } from '${SDK_PACKAGE}';

// Trigger it by hand: npx tidemark dags trigger ${FIRST_DAG_ID} --wait
const hello = dag('${FIRST_DAG_ID}', {
  description: 'a first DAG: a task that resumes from its task state after a failed try',
  defaults: { retries: 2, retryDelay: '5s' }, // the default delay between tries is 5 minutes
});

hello.task('process_pages', async (ctx) => {
  // Task state belongs to this task instance and survives its retries: a retry resumes at the page
  // the failed try reached instead of starting over.
  const done = await ctx.taskState.get<number>('pages_done', 0);
  for (let page = done + 1; page <= 5; page++) {
    ctx.log.info(\`processing page \${page}\`, { try: ctx.tryNumber });
    await ctx.taskState.set('pages_done', page);
    if (page === 3 && ctx.tryNumber === 1) throw new Error('failing on purpose once: the retry resumes at page 4');
  }
  return { pages: 5, resumedAfter: done };
});

export default hello;
`;

const GITIGNORE = `node_modules/
# Tidemark's home in standalone: the SQLite database, task logs, the admin password
.tidemark/
`;

function readme(name: string): string {
  return `# ${name}

A Tidemark project: DAG files in \`dags/\`.

## Next steps

1. Install: \`npm install\` (better-sqlite3 compiles from source: set \`npm_config_nodedir=/usr\` where
   Node's headers can't be downloaded).
2. Run Tidemark on this folder: \`npm start\` (\`tidemark standalone\`: the api-server, the scheduler, a
   worker and a triggerer in one process, SQLite in \`./.tidemark\`). It prints the password of
   \`admin\` once (also kept in \`.tidemark/admin-password\`). The web UI is at http://127.0.0.1:8080.
3. From a second terminal:

   \`\`\`sh
   npx tidemark login --username admin          # or --password P, or TIDEMARK_PASSWORD
   npx tidemark dags trigger ${FIRST_DAG_ID} --wait
   npx tidemark tasks logs ${FIRST_DAG_ID} <run_id> process_pages --try 1
   npx tidemark state list --dag ${FIRST_DAG_ID} --run <run_id> --task process_pages
   \`\`\`

4. Write your DAGs in \`dags/\` (each file exports the DAG \`dag(...)\` returns). The scheduler picks up
   changes by itself; \`npx tidemark dags errors\` shows files that fail to load, and
   \`npm run typecheck\` type-checks them.
`;
}
