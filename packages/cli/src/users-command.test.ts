import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '@tidemark/core';
import { findUser } from '@tidemark/db';
import { eachDialect, freePort, useTestDatabase } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, runTidemark, tidemarkNodeArgs } from './testing/run-tidemark.ts';

const tidemark = (args: string[], env: Record<string, string>) => runTidemark(args, env);

/** A failure: exit 1 and exactly one line on stderr, `tidemark: …`. */
function expectOneLineError(result: CliResult, message: string | RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  if (typeof message === 'string') expect(result.stderr).toBe(`tidemark: ${message}\n`);
  else expect(result.stderr).toMatch(message);
}

describe.each(eachDialect())('tidemark users on %s (real binary)', (dialect) => {
  const test = useTestDatabase(dialect);
  let home: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
    env = { TIDEMARK_HOME: home, TIDEMARK_DATABASE__URL: test.url };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const listed = async () => {
    const result = await tidemark(['users', 'list', '--json'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as { username: string; role: string; created_at: string }[];
  };

  it('creates users (a generated password is printed once), lists them, refuses a duplicate and deletes', async () => {
    const alice = await tidemark(['users', 'create', 'alice', '--role', 'op', '--password', 'alice-password'], env);
    expect(alice).toEqual({ code: 0, stdout: 'Created user "alice" (role op).\n', stderr: '' });

    const bob = await tidemark(['users', 'create', 'bob', '--role', 'viewer'], env);
    expect(bob.code).toBe(0);
    const generated = /^Created user "bob" \(role viewer\) with password (\S+)\n/.exec(bob.stdout)?.[1];
    expect(generated).toMatch(/^[\w-]{24}$/);
    const stored = await findUser(test.database.db, 'bob');
    expect(await verifyPassword(generated as string, stored?.passwordHash as string)).toBe(true);

    expect(await listed()).toEqual([
      { username: 'alice', role: 'op', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
      { username: 'bob', role: 'viewer', created_at: expect.any(String) },
    ]);
    const table = await tidemark(['users', 'list'], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^USERNAME\s+ROLE\s+CREATED$/);
    expect(table.stdout).toMatch(/^alice\s+op\s+\d{4}-/m);

    const duplicate = await tidemark(
      ['users', 'create', 'alice', '--role', 'admin', '--password', 'other-password'],
      env,
    );
    expectOneLineError(duplicate, 'user "alice" already exists; pick another name or reset that user\'s password');
    expect((await findUser(test.database.db, 'alice'))?.role).toBe('op');

    expect(await tidemark(['users', 'delete', 'alice'], env)).toEqual({
      code: 0,
      stdout: 'Deleted user "alice".\n',
      stderr: '',
    });
    expect((await listed()).map((user) => user.username)).toEqual(['bob']);
    expectOneLineError(await tidemark(['users', 'delete', 'alice'], env), 'user "alice" does not exist');
  });

  it('resets a password (given or generated), and the new one verifies against the stored hash', async () => {
    await tidemark(['users', 'create', 'carol', '--role', 'admin', '--password', 'first-password'], env);
    const passwordHash = async () => (await findUser(test.database.db, 'carol'))?.passwordHash as string;

    const reset = await tidemark(['users', 'reset-password', 'carol'], env);
    expect(reset.code).toBe(0);
    const generated = /^New password of user "carol": (\S+)\n/.exec(reset.stdout)?.[1] as string;
    expect(generated).toMatch(/^[\w-]{24}$/);
    expect(await verifyPassword(generated, await passwordHash())).toBe(true);
    expect(await verifyPassword('first-password', await passwordHash())).toBe(false);

    const chosen = await tidemark(['users', 'reset-password', 'carol', '--password', 'second-password'], env);
    expect(chosen).toEqual({ code: 0, stdout: 'Password of user "carol" changed.\n', stderr: '' });
    expect(await verifyPassword('second-password', await passwordHash())).toBe(true);
  });

  it('refuses a bad role, a missing role, a short password and an unknown user with one line each', async () => {
    const [badRole, noRole, shortCreate, shortReset, unknownReset] = await Promise.all([
      tidemark(['users', 'create', 'dave', '--role', 'root', '--password', 'dave-password'], env),
      tidemark(['users', 'create', 'dave', '--password', 'dave-password'], env),
      tidemark(['users', 'create', 'dave', '--role', 'op', '--password', 'short'], env),
      tidemark(['users', 'reset-password', 'nobody', '--password', 'short'], env),
      tidemark(['users', 'reset-password', 'nobody'], env),
    ]);
    expectOneLineError(badRole, 'role "root" is not one of viewer, op, admin');
    expectOneLineError(noRole, 'users create needs --role <role>, one of viewer, op, admin');
    expectOneLineError(shortCreate, 'a password needs at least 8 characters');
    expectOneLineError(shortReset, 'a password needs at least 8 characters');
    expectOneLineError(unknownReset, 'user "nobody" does not exist');
    expect(await listed()).toEqual([]);
  });
});

describe('tidemark users without a usable database', () => {
  it('asks for a migration instead of touching an unmigrated database', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
    try {
      const result = await tidemark(['users', 'list'], { TIDEMARK_HOME: home });
      expectOneLineError(
        result,
        /^tidemark: the database has \d+ pending migration\(s\) .*; run "tidemark db migrate"\n$/,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('turns a usage mistake into one "tidemark:" line', async () => {
    const result = await tidemark(['users', 'create'], { TIDEMARK_HOME: tmpdir() });
    expectOneLineError(result, "missing required argument 'username'");
  });
});

/** `tidemark standalone` as a real process; its stdout and stderr together. */
class Standalone {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, tidemarkNodeArgs(['standalone']), {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  async waitForRunning(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!/Tidemark is running at http/.test(this.output)) {
      if (this.child.exitCode !== null) throw new Error(`standalone exited early:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`standalone did not start in ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, then its exit code (SIGKILL after 15 s so a hung process cannot outlive the test). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      const code = await this.exited;
      clearTimeout(timer);
      return code;
    }
    return this.exited;
  }
}

const ADMIN_LINE =
  /Created user "admin" with password (\S+) \(also in (\S+)\); change it with: tidemark users reset-password admin/;

describe.each(eachDialect())('tidemark standalone creates user admin on %s (real process)', (dialect) => {
  const test = useTestDatabase(dialect, { migrate: false });
  let scratch: string;
  let env: Record<string, string>;
  const started: Standalone[] = [];
  beforeEach(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tidemark-standalone-'));
    const dags = join(scratch, 'dags');
    mkdirSync(dags);
    env = {
      TIDEMARK_HOME: join(scratch, 'home'),
      TIDEMARK_DATABASE__URL: test.url,
      TIDEMARK_CORE__DAGS_FOLDER: dags,
      TIDEMARK_API__PORT: String(await freePort()),
    };
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((process) => process.stop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  const start = async () => {
    const standalone = new Standalone(env);
    started.push(standalone);
    await standalone.waitForRunning();
    return standalone;
  };

  it('prints the generated password once, writes it to <home>/admin-password, and it signs in', {
    timeout: 120_000,
  }, async () => {
    const first = await start();
    const [line, password, file] = ADMIN_LINE.exec(first.output) ?? [];
    expect(line, first.output).toBeDefined();
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(file).toBe(join(env.TIDEMARK_HOME as string, 'admin-password'));
    expect(readFileSync(file as string, 'utf8').trim()).toBe(password);
    expect(statSync(file as string).mode & 0o777).toBe(0o600);
    expect(first.output.match(/Created user "admin"/g)).toHaveLength(1);
    expect(first.output.indexOf(line as string)).toBeLessThan(first.output.indexOf('Tidemark is running at'));

    const token = await fetch(`http://127.0.0.1:${env.TIDEMARK_API__PORT}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(token.status).toBe(200);
    expect(await first.stop(), first.output).toBe(0);

    const second = await start();
    expect(second.output).not.toContain('Created user');
    expect(second.output).not.toContain(password as string);
    expect(await second.stop(), second.output).toBe(0);
    expect(readFileSync(file as string, 'utf8').trim()).toBe(password);
  });

  it('uses TIDEMARK_API__ADMIN_PASSWORD instead, without printing it or writing the file', {
    timeout: 120_000,
  }, async () => {
    env.TIDEMARK_API__ADMIN_PASSWORD = 'configured-admin-secret';
    const standalone = await start();
    expect(standalone.output).toContain('Created user "admin" with the password set in api.admin_password');
    expect(standalone.output).not.toContain('configured-admin-secret');
    expect(existsSync(join(env.TIDEMARK_HOME as string, 'admin-password'))).toBe(false);
    const admin = await findUser(test.database.db, 'admin');
    expect(admin?.role).toBe('admin');
    expect(await verifyPassword('configured-admin-secret', admin?.passwordHash as string)).toBe(true);
  });
});
