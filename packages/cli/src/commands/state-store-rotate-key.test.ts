import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskScope } from '@tidemark/core';
import { createDagRun, MetastoreStateBackend, registerDag, StateValueCipher, stateKey } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTidemark } from '../testing/run-tidemark.ts';

const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const TASK = taskScope({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 });

describe.each(eachDialect())('tidemark state-store rotate-key on %s (real binary)', (dialect) => {
  let test: TestDatabase;
  let home: string;
  let env: Record<string, string>;

  const storedValues = async () =>
    (await test.database.db.selectFrom('task_state').select('value').orderBy('key').execute()).map((row) => row.value);

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    home = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
    env = { TIDEMARK_HOME: home, TIDEMARK_DATABASE__URL: test.url, TIDEMARK_LOGGING__LEVEL: 'silent' };
    await registerDag(test.database.db, { dagId: 'd' });
    await createDagRun(test.database.db, { dagId: 'd', runId: 'r' });
    const settings = { maxValueBytes: 0, historyDepth: 10 };
    await new MetastoreStateBackend(test.database, settings).set(TASK, 'a-plain', 'stored before any key');
    const old = new MetastoreStateBackend(test.database, settings, new StateValueCipher(stateKey(OLD_KEY)));
    for (let i = 0; i < 5; i++) await old.set(TASK, `b-${i}`, { n: i });
  });
  afterEach(async () => {
    await test.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  it('re-encrypts every value with the new key in batches; the values still read; a second run has nothing to do', async () => {
    const rotateEnv = {
      ...env,
      TIDEMARK_STATE__ENCRYPTION_KEY: NEW_KEY,
      TIDEMARK_STATE__ENCRYPTION_OLD_KEYS: OLD_KEY,
    };
    const result = await runTidemark(['state-store', 'rotate-key', '--batch-size', '2'], rotateEnv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // 6 rows and their 6 history rows.
    expect(result.stdout).toMatch(new RegExp(`^Re-encrypted 12 value\\(s\\) to key ${stateKey(NEW_KEY).id} in `));

    for (const value of await storedValues()) expect(value).toMatch(new RegExp(`^enc:v1:${stateKey(NEW_KEY).id}:`));
    const reader = new MetastoreStateBackend(
      test.database,
      { maxValueBytes: 0, historyDepth: 10 },
      new StateValueCipher(stateKey(NEW_KEY)),
    );
    expect((await reader.get(TASK, 'a-plain'))?.value).toBe('stored before any key');
    expect((await reader.get(TASK, 'b-4'))?.value).toEqual({ n: 4 });

    const again = await runTidemark(['state-store', 'rotate-key', '--json'], rotateEnv);
    expect(JSON.parse(again.stdout)).toEqual({ rewritten: 0, skipped: 0, key_id: stateKey(NEW_KEY).id });
  }, 60_000);

  it('refuses to start without a key, or with a malformed one, naming the setting and how to make a key', async () => {
    const missing = await runTidemark(['state-store', 'rotate-key'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('state.encryption_key');
    expect(missing.stderr).toContain('openssl rand -base64 32');

    const malformed = await runTidemark(['state-store', 'rotate-key'], {
      ...env,
      TIDEMARK_STATE__ENCRYPTION_KEY: 'too-short',
    });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('encryption_key');
    expect(malformed.stderr).toContain('openssl rand -base64 32');
    expect(malformed.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await storedValues()).toContain('"stored before any key"');
  }, 60_000);
});
