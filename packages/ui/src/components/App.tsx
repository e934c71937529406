import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { forgetSession, loadSession, SESSION_ENDED_EVENT, type Session, saveSession } from '../auth/session.ts';
import { SessionContext, type SessionControls } from '../auth/session-context.ts';
import { useLocation } from '../hooks/use-location.ts';
import { type Route, routeOf } from '../routes.ts';
import { titleOf } from '../titles.ts';
import { AssetListPage } from './AssetListPage.tsx';
import { AssetPage } from './AssetPage.tsx';
import { DagListPage } from './DagListPage.tsx';
import { DagPage } from './DagPage.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { LoginPage } from './LoginPage.tsx';
import { NavBar } from './NavBar.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { RunPage } from './RunPage.tsx';
import { TaskInstancePage } from './TaskInstancePage.tsx';

/** The graph page brings React Flow and dagre (half the UI's code): loaded when first opened. */
const AssetGraphPage = lazy(() =>
  import('./AssetGraphPage.tsx').then((module) => ({ default: module.AssetGraphPage })),
);

/** The DAG graph brings React Flow and dagre too. */
const DagGraphPage = lazy(() => import('./DagGraphPage.tsx').then((module) => ({ default: module.DagGraphPage })));

/**
 * The signed-in shell: the session, the nav bar, and the page the URL names. Requests read the
 * token from the stored session (main.tsx); a 401 ends the session here.
 */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [expired, setExpired] = useState(false);
  const queryClient = useQueryClient();

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setExpired(false);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    forgetSession();
    setSession(null);
    // What one user saw is not shown to the next.
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    const ended = () => {
      setExpired(true);
      signOut();
    };
    window.addEventListener(SESSION_ENDED_EVENT, ended);
    return () => window.removeEventListener(SESSION_ENDED_EVENT, ended);
  }, [signOut]);

  const controls = useMemo<SessionControls>(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return (
    <SessionContext.Provider value={controls}>
      {session ? (
        <>
          <NavBar />
          <main className="page">
            <PageWithBoundary />
          </main>
        </>
      ) : (
        <LoginPage expired={expired} />
      )}
    </SessionContext.Provider>
  );
}

/** Each page in its own error boundary (keyed by the path: another page starts afresh), with its title. */
function PageWithBoundary() {
  const location = useLocation();
  const route = routeOf(location.pathname, location.search);
  const title = titleOf(route);
  useEffect(() => {
    document.title = title;
  }, [title]);
  return (
    <ErrorBoundary key={location.pathname}>
      <CurrentPage route={route} pathname={location.pathname} />
    </ErrorBoundary>
  );
}

function CurrentPage({ route, pathname }: { route: Route; pathname: string }) {
  switch (route.page) {
    case 'dags':
      return <DagListPage />;
    case 'dag':
      return <DagPage key={route.dagId} dagId={route.dagId} tab={route.tab} />;
    case 'dag_graph':
      return (
        <Suspense fallback={<p className="muted">Loading the graph…</p>}>
          <DagGraphPage key={route.dagId} dagId={route.dagId} runId={route.runId} />
        </Suspense>
      );
    case 'run':
      return <RunPage key={`${route.dagId}/${route.runId}`} dagId={route.dagId} runId={route.runId} tab={route.tab} />;
    case 'task':
      return (
        <TaskInstancePage
          key={`${route.dagId}/${route.runId}/${route.taskId}/${route.mapIndex}`}
          address={route}
          tab={route.tab}
        />
      );
    case 'assets':
      return <AssetListPage />;
    case 'asset_graph':
      return (
        <Suspense fallback={<p className="muted">Loading the graph…</p>}>
          <AssetGraphPage />
        </Suspense>
      );
    case 'asset':
      return <AssetPage key={route.assetId} assetId={route.assetId} tab={route.tab} />;
    default:
      return <NotFoundPage what={`The page ${safeDecode(pathname)}`} />;
  }
}

function safeDecode(pathname: string): string {
  try {
    return decodeURI(pathname);
  } catch {
    return pathname;
  }
}
