// The packages as a user gets them: scripts/pack-packages.mjs builds and packs them, a project made
// by `tidemark init` in a temp folder outside the repository installs the tarballs with npm, and
// its own `tidemark` runs its first DAG. What breaks here breaks for everyone who installs Tidemark:
// a source path in `exports`, a missing built file, a dependency the packages don't declare.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runTidemark, TidemarkProcess } from '@tidemark/cli/testing';
import { freePort } from '@tidemark/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const PACKAGES = ['cli', 'core', 'db', 'runtime', 'sdk', 'server'];

const exec = promisify(execFile);

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the packed @tidemark packages in a project of their own', () => {
  let scratch: string;
  let project: string;
  let install: Result;
  let env: Record<string, string>;
  const processes: TidemarkProcess[] = [];

  const npx = (...args: string[]) => run('npx', ['--no-install', ...args], project, env);

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tidemark-packed-'));
    project = join(scratch, 'my-pipelines');
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? scratch, // npm's cache: the packages `npm ci` fetched
      npm_config_nodedir: '/usr',
      npm_config_update_notifier: 'false',
      TIDEMARK_HOME: join(project, '.tidemark'),
    };

    const packed = await run(
      process.execPath,
      ['scripts/pack-packages.mjs', '--out', join(scratch, 'build')],
      REPO,
      env,
    );
    expect(packed.code, packed.stderr).toBe(0);
    const tarballs = packed.stdout.trim().split('\n');
    expect(tarballs).toHaveLength(PACKAGES.length);

    expect((await runTidemark(['init', project], {})).code).toBe(0);
    // --no-save: package.json keeps the ranges init wrote, and `npm ls` checks the tarballs meet them.
    install = await run(
      'npm',
      ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs],
      project,
      env,
    );
    expect(install.code, install.stderr).toBe(0);
    // --ignore-scripts skips better-sqlite3's compile (80 s and more); its addon is this repository's,
    // built from the same version for the same Node.
    const addon = (root: string) => join(root, 'node_modules', 'better-sqlite3');
    const version = (root: string) => JSON.parse(readFileSync(join(addon(root), 'package.json'), 'utf8')).version;
    expect(version(project)).toBe(version(REPO));
    cpSync(join(addon(REPO), 'build'), join(addon(project), 'build'), { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('installs built JavaScript with declarations, no sources or test support, and nothing that needs Node 22', async () => {
    for (const name of PACKAGES) {
      const folder = join(project, 'node_modules', '@tidemark', name);
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
      expect(manifest.private, name).toBeUndefined();
      expect(JSON.stringify(manifest.exports), name).not.toContain('./src/');
      expect(manifest.exports['.'], name).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
      expect(existsSync(join(folder, 'src')), name).toBe(false);
      expect(existsSync(join(folder, 'dist', 'testing')), name).toBe(false);
    }
    expect(existsSync(join(project, 'node_modules', '@tidemark', 'server', 'web-ui', 'index.html'))).toBe(true);
    const engineWarnings = `${install.stdout}${install.stderr}`.split('\n').filter((line) => /EBADENGINE/.test(line));
    expect(engineWarnings).toEqual([]);
    // The ranges `tidemark init` wrote (^TIDEMARK_VERSION) are met by the packed versions.
    const listed = await run('npm', ['ls', '--depth=0'], project, env);
    expect(listed.code, listed.stdout + listed.stderr).toBe(0);
  });

  it("type-checks the project's DAGs against the published declarations, and reports a wrong type", async () => {
    expect(await run('npm', ['run', 'typecheck'], project, env)).toMatchObject({ code: 0 });

    writeFileSync(
      join(project, 'dags', 'wrong_type.ts'),
      [
        "import { dag } from '@tidemark/sdk';",
        "const wrong = dag('wrong_type', {});",
        "wrong.task('t', async (ctx) => { const n: string = await ctx.taskState.get<number>('n', 0); return n; });",
        'export default wrong;',
        '',
      ].join('\n'),
    );
    const checked = await run('npm', ['run', 'typecheck'], project, env);
    rmSync(join(project, 'dags', 'wrong_type.ts'));
    expect(checked.code).not.toBe(0);
    expect(checked.stdout).toMatch(
      /wrong_type\.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/,
    );
  }, 60_000);

  it('runs the first DAG with npx tidemark standalone: the retry resumes from the task state of try 1', async () => {
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const standalone = TidemarkProcess.start(['standalone', '--dags-folder', 'dags', '--port', String(port)], env, {
      bin: join(project, 'node_modules', '.bin', 'tidemark'),
      cwd: project,
    });
    processes.push(standalone);
    await standalone.waitFor(/Tidemark is running at http/, 60_000);
    await standalone.waitFor(/DAG files processed parsed_files=1 dags=1 import_errors=0/, 60_000);
    // The web UI ships with the server package.
    const page = await fetch(`${apiUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('not built');

    env.TIDEMARK_API_URL = apiUrl;
    const password = readFileSync(join(project, '.tidemark', 'admin-password'), 'utf8').trim();
    expect(await npx('tidemark', 'login', '--username', 'admin', '--password', password)).toMatchObject({ code: 0 });
    const triggered = await npx('tidemark', 'dags', 'trigger', 'hello_state', '--wait');
    expect(triggered.code, triggered.stdout + triggered.stderr).toBe(0);
    const runId = triggered.stdout.match(/Triggered run (\S+) of DAG hello_state/)?.[1] as string;
    expect(triggered.stdout).toMatch(/process_pages failed try 1 of 3/);
    expect(triggered.stdout).toMatch(/succeeded/);

    const scope = ['--dag', 'hello_state', '--run', runId, '--task', 'process_pages'];
    const state = await npx('tidemark', 'state', 'get', 'pages_done', ...scope);
    expect(state.code, state.stderr).toBe(0);
    expect(JSON.parse(state.stdout)).toBe(5);
    const xcom = await npx('tidemark', 'tasks', 'xcom', 'hello_state', runId, 'process_pages', '--json');
    expect(xcom.code, xcom.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(xcom.stdout))).toContain('"resumedAfter":3');
  }, 120_000);
});
