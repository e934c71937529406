import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaseWatchers, recordWatcherPollFailure } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import {
  openPublicApiHarness,
  type PublicApiHarness,
  type SeededWatchers,
  seedWatchers,
  T0,
} from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

/** `tidemark watchers list` in-process against a real api-server listening on a port. */
describe.each(eachDialect())('tidemark watchers on %s', (dialect) => {
  let harness: PublicApiHarness;
  let seeded: SeededWatchers;
  let stdout: string;
  let stderr: string;
  let home: string;

  async function tidemark(...args: string[]): Promise<number> {
    stdout = '';
    stderr = '';
    return main(['node', 'tidemark', ...args]);
  }

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'tidemark-watchers-cli-'));
    harness = await openPublicApiHarness(dialect);
    seeded = await seedWatchers(harness.database.db);
    await leaseWatchers(harness.database, {
      owner: 't1',
      hostname: 'box:42',
      capacity: 1,
      idlePolls: [],
      now: T0,
      leaseTimeoutMs: 30_000,
    });
    await recordWatcherPollFailure(harness.database, {
      lease: { watcherId: seeded.ids.new_files, owner: 't1', lease: 1, now: T0 },
      polledAt: T0,
      error: `could not list /landing:\n${'x'.repeat(200)}`,
      maxBackoffMs: 300_000,
    });
    const address = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    vi.stubEnv('TIDEMARK_HOME', home);
    vi.stubEnv('TIDEMARK_API_URL', address);
    vi.stubEnv('TIDEMARK_API_TOKEN', harness.token('viewer'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await harness.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('prints each watcher with its asset, DAG, status, triggerer, polls, events and last error', async () => {
    expect(await tidemark('watchers', 'list')).toBe(0);

    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^NAME\s+ASSET\s+DAG\s+STATUS\s+TRIGGERER\s+LAST_POLL\s+LAST_EVENT\s+EVENTS\s+FAILURES\s+LAST_ERROR$/,
    );
    expect(lines[1]).toMatch(
      /^new_files\s+landing\s+ingest\s+backing_off\s+box:42\s+2026-01-01 00:00:00\s+-\s+0\s+1\s+could not list \/landing: x+…$/,
    );
    expect(lines[1]?.split('could not list')[1]).toHaveLength(80 - 'could not list'.length);
    expect(lines[2]).toMatch(/^slow\s+landing\s+ingest\s+waiting\s+-\s+-\s+-\s+0\s+0\s+-$/);
    expect(lines).toHaveLength(3);
  });

  it('filters by status and DAG, and prints JSON', async () => {
    expect(await tidemark('watchers', 'list', '--status', 'waiting', '--json')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ total_entries: 1, watchers: [{ name: 'slow', status: 'waiting' }] });

    expect(await tidemark('watchers', 'list', '--dag-id', 'other')).toBe(0);
    expect(stdout).toBe('No watchers of DAG other.\n');

    expect(await tidemark('watchers', 'list', '--status', 'asleep')).toBe(2);
    expect(stderr).toContain("option '--status <status>' argument 'asleep' is invalid");
  });
});
