/** A run's or task instance's state as a coloured label; `null` is "none" (not scheduled yet). */
export function StateBadge({ state }: { state: string | null }) {
  const name = state ?? 'none';
  return <span className={`badge state-${name}`}>{name.replaceAll('_', ' ')}</span>;
}
