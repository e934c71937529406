// What task authors import. The DAG/task builders and the state accessors arrive with the runtime
// and state issues; the value types and errors a task sees are already the core's.
export {
  type JsonValue,
  StateConflictError,
  type StateValue,
  ValueTooLargeError,
} from '@tidemark/core';

/** Keep a task-state key until its run is deleted, whatever `state.default_retention` says. */
export const NEVER_EXPIRE = 'NEVER_EXPIRE' as const;
