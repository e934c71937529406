import { type FormEvent, useState } from 'react';
import { requestToken } from '../api/auth-api.ts';
import { ApiError } from '../api/http.ts';
import { sessionOf } from '../auth/session.ts';
import { useSession } from '../auth/session-context.ts';

/** Username and password → a bearer token (POST /auth/token). */
export function LoginPage({ expired }: { expired: boolean }) {
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | null>(expired ? 'Your session ended; sign in again.' : null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const { access_token: token } = await requestToken(username, password);
      const session = sessionOf(token);
      if (!session) throw new Error('the api-server answered a token the UI cannot read');
      signIn(session);
    } catch (error) {
      setMessage(error instanceof ApiError && error.status === 401 ? 'Wrong username or password.' : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit}>
        <h1 className="brand">Tidemark</h1>
        <p className="muted">Durable task state for data and AI pipelines</p>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        {message && (
          <p className="notice notice-error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
