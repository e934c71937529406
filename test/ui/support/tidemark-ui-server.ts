import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TidemarkProcess, tidemarkNodeArgs } from '@tidemark/cli/testing';
import { E2eEnvironment } from '../../e2e/support/e2e-environment.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BUILD_UI = join(ROOT, 'packages', 'ui', 'scripts', 'build-if-stale.mjs');
export const EXAMPLE_DAGS = join(ROOT, 'examples', 'dags');
/** The UI tests' own DAGs (the asset graph's pipeline). */
export const UI_DAGS = join(import.meta.dirname, '..', 'dags');

export interface UiUser {
  readonly username: string;
  readonly password: string;
}

/** Builds the UI unless its build is current (what `npm start` does too); fails the tests if it cannot. */
export function buildUi(): void {
  execFileSync(process.execPath, [BUILD_UI, '--strict'], { stdio: 'inherit' });
}

/**
 * A real `tidemark standalone` on the example DAGs (or another DAGs folder), serving the built UI,
 * with three users: admin, an `op` and a `viewer` (made with `tidemark users create`, as a person would).
 */
export class TidemarkUiServer {
  private constructor(
    readonly env: E2eEnvironment,
    readonly process: TidemarkProcess,
    readonly op: UiUser,
    readonly viewer: UiUser,
  ) {}

  /** The UI reads no database, so one dialect is enough here: SQLite. */
  static async start(dagsFolder = EXAMPLE_DAGS): Promise<TidemarkUiServer> {
    const env = await E2eEnvironment.create('sqlite', {
      TIDEMARK_CORE__DAGS_FOLDER: dagsFolder,
      TIDEMARK_API__ADMIN_PASSWORD: 'admin-password-ui',
    });
    const tidemark = TidemarkProcess.start(['standalone'], env.env);
    await tidemark.waitFor(/Tidemark is running at http/, 60_000);
    const op = createUser(env, 'opal', 'op');
    const viewer = createUser(env, 'vera', 'viewer');
    return new TidemarkUiServer(env, tidemark, op, viewer);
  }

  get url(): string {
    return this.env.apiUrl;
  }

  readonly #tokens = new Map<string, string>();

  /** A bearer token, as the UI gets one (one per user: each costs the server a password hash). */
  async tokenOf(user: UiUser): Promise<string> {
    const known = this.#tokens.get(user.username);
    if (known) return known;
    const response = await fetch(`${this.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    if (!response.ok) throw new Error(`POST /auth/token for ${user.username}: ${response.status}`);
    const token = ((await response.json()) as { access_token: string }).access_token;
    this.#tokens.set(user.username, token);
    return token;
  }

  /** A public API call as `user`: its status, and its JSON body (undefined when empty). */
  async api(
    user: UiUser,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.tokenOf(user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  async stop(): Promise<void> {
    await this.process.stop();
    await this.env.destroy();
  }
}

function createUser(env: E2eEnvironment, username: string, role: 'op' | 'viewer'): UiUser {
  const password = `${username}-password-1`;
  execFileSync(
    process.execPath,
    tidemarkNodeArgs(['users', 'create', username, '--role', role, '--password', password]),
    {
      env: { PATH: process.env.PATH ?? '', ...env.env },
      stdio: 'pipe',
    },
  );
  return { username, password };
}
