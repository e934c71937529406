/** How urgent a state is to look at: a mapped task's cell or node shows its most urgent TI state. */
const STATE_PRIORITY: readonly string[] = [
  'failed',
  'upstream_failed',
  'running',
  'deferred',
  'up_for_retry',
  'queued',
  'scheduled',
  'none',
  'skipped',
  'removed',
  'success',
];

/** The most urgent of the states (`null`: none); `none` for no state at all. */
export function mostUrgentState(states: readonly (string | null)[]): string {
  const names = states.map((state) => state ?? 'none');
  return STATE_PRIORITY.find((state) => names.includes(state)) ?? names[0] ?? 'none';
}
