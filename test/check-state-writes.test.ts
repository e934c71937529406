import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve('test/check-state-writes.mjs');

describe('check-state-writes', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Runs the check in a folder holding only `files`; returns its exit code and output. */
  function check(files: Record<string, string>): { code: number; output: string } {
    root = mkdtempSync(join(tmpdir(), 'state-writes-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    try {
      return { code: 0, output: execFileSync('node', [SCRIPT], { cwd: root, encoding: 'utf8', stdio: 'pipe' }) };
    } catch (error) {
      const failed = error as { status: number; stderr: string };
      return { code: failed.status, output: failed.stderr };
    }
  }

  it('fails on a state write outside the transitions folder, naming the file and line', () => {
    const result = check({
      'packages/db/src/repositories/sneaky.ts': `export const f = (db) =>\n  db.updateTable('task_instance').set({ state }).where('id', '=', 1).execute();\n`,
      'packages/runtime/src/raw.ts': 'const q = sql`UPDATE dag_run SET state = :s WHERE id = 1`;\n',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('packages/db/src/repositories/sneaky.ts:2 (task_instance)');
    expect(result.output).toContain('packages/runtime/src/raw.ts:1 (dag_run, raw SQL)');
  });

  it('passes state writes in the transitions folder, in tests, and reads of state anywhere', () => {
    const result = check({
      'packages/db/src/transitions/ok.ts': `db.updateTable('dag_run').set({ state: 'running' }).execute();\n`,
      'packages/db/src/repositories/ok.test.ts': `db.updateTable('task_instance').set({ state: 'queued' }).execute();\n`,
      'packages/db/src/repositories/heartbeat.ts': `db.updateTable('task_instance').set({ heartbeat_at: 1 }).where('state', '=', 'running').execute();\n`,
    });
    expect(result).toEqual({ code: 0, output: 'state writes ok\n' });
  });
});
