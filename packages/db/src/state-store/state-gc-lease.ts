import type { Db } from '../open-database.ts';

/** The lease row of the scheduler's automatic state garbage collection. */
export const STATE_GC_LEASE = 'state_gc';

export interface StateGcClaim {
  /** Who asks: unique per scheduler process, e.g. `host:pid:random`. */
  readonly holder: string;
  readonly now: number;
  /** The next pass is due this long after this one starts (`state.gc_interval`). */
  readonly intervalMs: number;
  /** The lease lapses this long after it was taken or renewed, so a crashed holder frees it. */
  readonly leaseMs: number;
}

export type StateGcClaimResult =
  | { readonly claimed: true }
  /** `retryAt`: when the pass is next due, or when the current holder's lease lapses, whichever is later. */
  | { readonly claimed: false; readonly retryAt: number; readonly holder: string | null };

/**
 * Takes the next garbage-collection pass if it is due and no one holds it, in one conditional
 * upsert: of several schedulers asking at once, exactly one gets it (both dialects).
 */
export async function claimStateGcPass(
  db: Db,
  claim: StateGcClaim,
  name = STATE_GC_LEASE,
): Promise<StateGcClaimResult> {
  const taken = await db
    .insertInto('state_gc_lease')
    .values({
      name,
      holder: claim.holder,
      lease_until: claim.now + claim.leaseMs,
      next_due_at: claim.now + claim.intervalMs,
      last_started_at: claim.now,
    })
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet((eb) => ({
          holder: eb.ref('excluded.holder'),
          lease_until: eb.ref('excluded.lease_until'),
          next_due_at: eb.ref('excluded.next_due_at'),
          last_started_at: eb.ref('excluded.last_started_at'),
        }))
        .where('state_gc_lease.next_due_at', '<=', claim.now)
        .where((eb) =>
          eb.or([eb('state_gc_lease.lease_until', 'is', null), eb('state_gc_lease.lease_until', '<=', claim.now)]),
        ),
    )
    .returning('holder')
    .executeTakeFirst();
  if (taken) return { claimed: true };
  const row = await db
    .selectFrom('state_gc_lease')
    .select(['holder', 'lease_until', 'next_due_at'])
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return { claimed: false, retryAt: Math.max(row.next_due_at, row.lease_until ?? 0), holder: row.holder };
}

/** Extends a lease the holder still has; `false` when it lapsed and someone else may hold it now. */
export async function renewStateGcLease(
  db: Db,
  claim: Pick<StateGcClaim, 'holder' | 'now' | 'leaseMs'>,
  name = STATE_GC_LEASE,
): Promise<boolean> {
  const result = await db
    .updateTable('state_gc_lease')
    .set({ lease_until: claim.now + claim.leaseMs })
    .where('name', '=', name)
    .where('holder', '=', claim.holder)
    .where('lease_until', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends the holder's pass; the next one stays due at the time the claim set. */
export async function releaseStateGcLease(
  db: Db,
  release: { readonly holder: string; readonly now: number },
  name = STATE_GC_LEASE,
): Promise<void> {
  await db
    .updateTable('state_gc_lease')
    .set({ lease_until: null, last_finished_at: release.now })
    .where('name', '=', name)
    .where('holder', '=', release.holder)
    .execute();
}
