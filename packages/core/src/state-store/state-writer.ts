/**
 * Who wrote a state value. Recorded on every write (asset state shows it as `last_updated_by`,
 * history keeps it per version).
 */
export type StateWriter =
  | {
      readonly kind: 'task';
      readonly dagId: string;
      readonly runId: string;
      readonly taskId: string;
      readonly mapIndex: number;
      readonly tryNumber: number;
    }
  /** A watcher's poll (SPEC §15.3), on its own asset. */
  | { readonly kind: 'watcher'; readonly watcher: string; readonly dagId: string }
  | { readonly kind: 'api'; readonly user: string }
  | { readonly kind: 'system'; readonly reason: string };

export const SYSTEM_WRITER: StateWriter = { kind: 'system', reason: 'unattributed' };
