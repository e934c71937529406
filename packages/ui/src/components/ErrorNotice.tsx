import { ApiError } from '../api/http.ts';

/** An error as a banner: the API's message, with its reason. */
export function ErrorNotice({ error, onRetry }: { error: Error | undefined; onRetry?: () => void }) {
  if (!error) return null;
  const reason = error instanceof ApiError ? error.reason : 'error';
  return (
    <div className="notice notice-error" role="alert">
      <strong>{error instanceof ApiError && error.status === 0 ? 'Offline' : 'Error'}</strong> {error.message}{' '}
      <span className="muted">({reason})</span>
      {onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
