import { Component, type ErrorInfo, type ReactNode } from 'react';
import { paths } from '../routes.ts';

interface State {
  readonly error: Error | null;
}

/**
 * A page that throws while rendering shows what went wrong instead of a blank window; the nav bar
 * stays, and another page (the boundary is keyed by the path) renders afresh.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn('tidemark: a page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="crashed" role="alert">
        <h1>This page could not be shown</h1>
        <p>{error.message}</p>
        <p>
          <a href={paths.dags()}>Back to the DAGs</a> ·{' '}
          <button type="button" className="link-button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      </section>
    );
  }
}
