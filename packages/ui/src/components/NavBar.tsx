import { useSession } from '../auth/session-context.ts';
import { useLocation } from '../hooks/use-location.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

export function NavBar() {
  const { session, signOut } = useSession();
  const { pathname } = useLocation();
  const onGraph = pathname === paths.assetGraph();
  const onAssets = pathname.startsWith('/assets') && !onGraph;
  return (
    <header className="navbar">
      <Link to={paths.dags()} className="brand">
        Tidemark
      </Link>
      <nav>
        <Link to={paths.dags()} className={onAssets || onGraph ? '' : 'active'}>
          DAGs
        </Link>
        <Link to={paths.assets()} className={onAssets ? 'active' : ''}>
          Assets
        </Link>
        <Link to={paths.assetGraph()} className={onGraph ? 'active' : ''}>
          Asset graph
        </Link>
        <a href="/docs">API</a>
      </nav>
      <div className="user">
        <ThemeToggle />
        <span data-testid="current-user">
          {session?.username} <span className="role">{session?.role}</span>
        </span>
        <button type="button" className="link-button" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
