/** A DAG's schedule in a few words: its cron, its asset condition, both (either one makes a run), or manual. */
export function scheduleLabel(dag: {
  readonly schedule: string | null;
  readonly asset_expression: string | null;
}): string {
  if (dag.schedule && dag.asset_expression) return `${dag.schedule} or ${dag.asset_expression}`;
  return dag.schedule ?? dag.asset_expression ?? 'manual';
}
