import { join } from 'node:path';
import { resolveConfig } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { createStateBackend } from './create-state-backend.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const home = join(fixtures, '.tidemark');
const configWith = (backend: string) =>
  resolveConfig({ home, env: { TIDEMARK_STATE__BACKEND: backend, TIDEMARK_STATE__HISTORY_DEPTH: '3' } });

describe.each(eachDialect())('state backend from config on %s', (dialect) => {
  const test = useTestDatabase(dialect);

  it('builds the metastore backend by default', async () => {
    const backend = await createStateBackend(resolveConfig({ home }), test.database);
    expect(backend).toBeInstanceOf(MetastoreStateBackend);
  });

  it('loads a module path and passes the configured settings to its factory', async () => {
    const backend = await createStateBackend(configWith('./named-backend.ts'), test.database, fixtures);
    expect(backend).toEqual({ builtWith: { maxValueBytes: 65_536, historyDepth: 3 } });
  });

  it('names the setting when the module cannot be loaded', async () => {
    await expect(createStateBackend(configWith('./missing.ts'), test.database, fixtures)).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/^setting "state.backend" names ".\/missing.ts", which could not be loaded/),
    });
  });

  it('names the setting when the module exports no factory', async () => {
    await expect(createStateBackend(configWith('./no-factory.ts'), test.database, fixtures)).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('exports no createStateBackend function'),
    });
  });
});
