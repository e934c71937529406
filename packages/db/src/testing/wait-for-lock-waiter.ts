import { sql } from 'kysely';
import type { Db } from '../open-database.ts';
import { waitUntil } from './wait-until.ts';

/** The PostgreSQL backend pid of the connection running `db` (a transaction's, to hold locks). */
export async function backendPid(db: Db): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return Number(rows[0]?.pid);
}

/**
 * PostgreSQL only: resolves once some session waits for a lock (`pg_locks.granted` false) that the
 * session `holderPid` holds — the proof that a concurrent statement reached the lock, where a fixed
 * sleep would only hope so. Polls every 10 ms; throws after `timeoutMs`.
 */
export async function waitForLockWaiter(db: Db, holderPid: number, timeoutMs = 10_000): Promise<void> {
  const someoneWaits = async () => {
    const { rows } = await sql<{ waiting: string | number }>`
      select count(*) as waiting from pg_locks
      where not granted and ${holderPid} = any(pg_blocking_pids(pid))`.execute(db);
    return Number(rows[0]?.waiting) > 0;
  };
  await waitUntil(someoneWaits, `a session to wait on a lock held by pid ${holderPid}`, timeoutMs, 10);
}
