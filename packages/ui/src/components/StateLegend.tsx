const STATES = [
  'success',
  'running',
  'queued',
  'scheduled',
  'deferred',
  'up_for_retry',
  'failed',
  'upstream_failed',
  'skipped',
  'none',
] as const;

/** What the state colours of the grid, graph and Gantt mean. */
export function StateLegend() {
  return (
    <div className="legend">
      {STATES.map((state) => (
        <span key={state} className="legend-item">
          <span className={`cell state-${state}`} /> {state.replaceAll('_', ' ')}
        </span>
      ))}
      <span className="legend-item">
        <span className="cell state-success cell-retried" /> needed more than one try
      </span>
    </div>
  );
}
