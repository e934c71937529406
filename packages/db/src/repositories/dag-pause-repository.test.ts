import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { setDagPaused } from './dag-pause-repository.ts';
import { registerDag } from './dag-repository.ts';
import { advanceNextRunAt } from './dag-schedule-repository.ts';

const NOW = Date.UTC(2026, 0, 1);

describe.each(eachDialect())('DAG pause repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  beforeEach(async () => {
    db = test.database.db;
    await registerDag(db, { dagId: 'etl', schedule: '@daily' }, NOW);
    await registerDag(db, { dagId: 'other', schedule: '@daily' }, NOW);
    await advanceNextRunAt(db, 'etl', null, NOW + 1_000);
  });

  const row = (dagId: string) =>
    db
      .selectFrom('dag')
      .select(['is_paused', 'next_run_at', 'updated_at'])
      .where('dag_id', '=', dagId)
      .executeTakeFirstOrThrow();

  it('pauses and unpauses one DAG, keeping its next run time', async () => {
    expect(await setDagPaused(db, 'etl', true, NOW + 5)).toBe(true);
    expect(await row('etl')).toEqual({ is_paused: 1, next_run_at: NOW + 1_000, updated_at: NOW + 5 });
    expect((await row('other')).is_paused).toBe(0);

    expect(await setDagPaused(db, 'etl', false, NOW + 6)).toBe(true);
    expect(await row('etl')).toEqual({ is_paused: 0, next_run_at: NOW + 1_000, updated_at: NOW + 6 });
  });

  it('is idempotent, and answers false for an unknown DAG', async () => {
    expect(await setDagPaused(db, 'etl', true, NOW)).toBe(true);
    expect(await setDagPaused(db, 'etl', true, NOW)).toBe(true);
    expect((await row('etl')).is_paused).toBe(1);
    expect(await setDagPaused(db, 'nope', true, NOW)).toBe(false);
  });
});
