/** Shown when a compare-and-set lost (HTTP 412): the value changed since it was read. */
export function ConflictNotice({ what, onReload }: { what: string; onReload: () => void }) {
  return (
    <div className="notice notice-conflict" role="alert" data-testid="conflict">
      <strong>Changed meanwhile.</strong> Someone (or the task) wrote {what} after you loaded it, so your change was not
      saved. Reload to see the current value, then apply your change again.{' '}
      <button type="button" onClick={onReload}>
        Reload
      </button>
    </div>
  );
}
