import type { Db } from '../open-database.ts';
import { backendPid } from './wait-for-lock-waiter.ts';

/** A TI transition kept open: its row is locked and changed, not yet committed. */
export interface HeldTiTransition {
  /** The PostgreSQL backend holding the TI's lock (for `waitForLockWaiter`). */
  readonly holderPid: number;
  /** Commits the transition. */
  commit(): Promise<void>;
}

/**
 * PostgreSQL: moves TI `tiId` to `state` in a transaction and holds it open, as the scheduler failing
 * a zombie would between its UPDATE and its COMMIT, so a test can race a write against it.
 */
export async function holdTiTransition(db: Db, tiId: string, state: string): Promise<HeldTiTransition> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: (holderPid: number) => void = () => {};
  const isLocked = new Promise<number>((resolve) => {
    locked = resolve;
  });
  const transition = db.transaction().execute(async (trx) => {
    await trx.selectFrom('task_instance').select('id').where('id', '=', tiId).forUpdate().execute();
    await trx.updateTable('task_instance').set({ state }).where('id', '=', tiId).execute();
    locked(await backendPid(trx));
    await released;
  });
  // A transition that fails before it holds the lock rejects here instead of leaving the test waiting.
  const holderPid = await Promise.race([isLocked, transition.then(() => isLocked)]);
  return {
    holderPid,
    async commit() {
      release();
      await transition;
    },
  };
}
