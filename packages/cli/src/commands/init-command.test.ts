import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDagFiles } from '@tidemark/runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

const SDK_PACKAGE = fileURLToPath(new URL('../', import.meta.resolve('@tidemark/sdk')));

describe('tidemark init', () => {
  let parent: string;
  let stdout: string;
  let stderr: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'tidemark-init-'));
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(parent, { recursive: true, force: true });
  });

  it('scaffolds an ES-module project whose first DAG loads with task state and no import error', async () => {
    const project = join(parent, 'My Pipelines');

    expect(await main(['node', 'tidemark', 'init', project])).toBe(0);

    expect(stdout).toContain('npm install && npm start');
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'my-pipelines', type: 'module', private: true });
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@tidemark/cli', '@tidemark/sdk']);
    expect(JSON.parse(readFileSync(join(project, 'tsconfig.json'), 'utf8')).include).toEqual(['dags/**/*.ts']);
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toMatch(/^node_modules\/$/m);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toContain('npx tidemark dags trigger hello_state');
    const dagSource = readFileSync(join(project, 'dags', 'hello_state.ts'), 'utf8');
    expect(dagSource).toContain('ctx.taskState');

    // As after `npm install`: the SDK resolves from the project.
    mkdirSync(join(project, 'node_modules', '@tidemark'), { recursive: true });
    symlinkSync(SDK_PACKAGE, join(project, 'node_modules', '@tidemark', 'sdk'));
    const parsed = await parseDagFiles(['hello_state.ts'], join(project, 'dags'));
    expect(parsed.errors).toEqual([]);
    expect(parsed.dags.map((dag) => [dag.dagId, dag.tasks.map((task) => task.taskId)])).toEqual([
      ['hello_state', ['process_pages']],
    ]);
  });

  it('refuses a folder that has any of its files, and writes nothing there', async () => {
    mkdirSync(join(parent, 'dags'));
    writeFileSync(join(parent, 'package.json'), '{"name": "mine"}\n');

    expect(await main(['node', 'tidemark', 'init', parent])).toBe(1);

    expect(stderr).toMatch(/^tidemark: .* already has package\.json; tidemark init writes nothing over existing files/);
    expect(readFileSync(join(parent, 'package.json'), 'utf8')).toBe('{"name": "mine"}\n');
    expect(existsSync(join(parent, 'tsconfig.json'))).toBe(false);
    expect(existsSync(join(parent, 'dags', 'hello_state.ts'))).toBe(false);
  });
});
