import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { forgetSession, loadSession, SESSION_ENDED_EVENT, type Session, saveSession } from '../auth/session.ts';
import { SessionContext, type SessionControls } from '../auth/session-context.ts';
import { useLocation } from '../hooks/use-location.ts';
import { routeOf } from '../routes.ts';
import { AssetListPage } from './AssetListPage.tsx';
import { AssetPage } from './AssetPage.tsx';
import { DagListPage } from './DagListPage.tsx';
import { DagPage } from './DagPage.tsx';
import { LoginPage } from './LoginPage.tsx';
import { NavBar } from './NavBar.tsx';
import { RunPage } from './RunPage.tsx';
import { TaskInstancePage } from './TaskInstancePage.tsx';

/** The graph page brings React Flow and dagre (half the UI's code): loaded when first opened. */
const AssetGraphPage = lazy(() =>
  import('./AssetGraphPage.tsx').then((module) => ({ default: module.AssetGraphPage })),
);

/**
 * The signed-in shell: the session, the nav bar, and the page the URL names. Requests read the
 * token from the stored session (main.tsx); a 401 ends the session here.
 */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [expired, setExpired] = useState(false);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setExpired(false);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    forgetSession();
    setSession(null);
  }, []);

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
            <CurrentPage />
          </main>
        </>
      ) : (
        <LoginPage expired={expired} />
      )}
    </SessionContext.Provider>
  );
}

function CurrentPage() {
  const location = useLocation();
  const route = routeOf(location.pathname, location.search);
  switch (route.page) {
    case 'dags':
      return <DagListPage />;
    case 'dag':
      return <DagPage key={route.dagId} dagId={route.dagId} tab={route.tab} />;
    case 'run':
      return <RunPage key={`${route.dagId}/${route.runId}`} dagId={route.dagId} runId={route.runId} />;
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
      return (
        <section>
          <h1>Not found</h1>
          <p>No page at {location.pathname}.</p>
        </section>
      );
  }
}
