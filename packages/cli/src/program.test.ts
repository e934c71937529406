import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

describe('tidemark usage errors', () => {
  let stdout: string;
  let stderr: string;
  beforeEach(() => {
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
  afterEach(() => vi.restoreAllMocks());

  it('an unknown command exits 2 with one line and a hint, not the whole help', async () => {
    expect(await main(['node', 'tidemark', 'frobnicate'])).toBe(2);
    expect(stderr).toBe('tidemark: unknown command \'frobnicate\'; run "tidemark --help" for the commands\n');
    expect(stdout).toBe('');
  });

  it('suggests the command a typo was close to, on the same line', async () => {
    expect(await main(['node', 'tidemark', 'dag'])).toBe(2);
    expect(stderr).toBe(
      'tidemark: unknown command \'dag\' (did you mean dags?); run "tidemark --help" for the commands\n',
    );
  });

  it('an unknown option of the program exits 2; --help still prints the help and exits 0', async () => {
    expect(await main(['node', 'tidemark', '--frobnicate'])).toBe(2);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(await main(['node', 'tidemark', '--help'])).toBe(0);
    expect(stdout).toContain('Usage: tidemark');
  });
});
