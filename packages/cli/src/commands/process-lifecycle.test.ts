import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachDialect, freePort, useTestDatabase } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TidemarkProcess } from '../testing/tidemark-process.ts';

describe.each(eachDialect())('stopping tidemark services on %s (real processes)', (dialect) => {
  const test = useTestDatabase(dialect, { migrate: false });
  let scratch: string;
  let env: Record<string, string>;
  const started: TidemarkProcess[] = [];
  beforeEach(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tidemark-lifecycle-'));
    mkdirSync(join(scratch, 'dags'));
    env = {
      TIDEMARK_HOME: join(scratch, 'home'),
      TIDEMARK_DATABASE__URL: test.url,
      TIDEMARK_CORE__DAGS_FOLDER: join(scratch, 'dags'),
      TIDEMARK_API__PORT: String(await freePort()),
    };
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((process) => process.stop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  const start = (command: string) => {
    const process = TidemarkProcess.start([command], env);
    started.push(process);
    return process;
  };

  // Before the signals were handled from the start, a SIGTERM in this window ended the process by
  // the signal's default action: exit code null, nothing stopped in order.
  it('a SIGTERM while standalone starts stops it in order once its services are up, with exit code 0', async () => {
    const standalone = start('standalone');
    await standalone.waitFor(/Server listening at http/);
    standalone.kill('SIGTERM');

    expect(await standalone.exited, standalone.output).toEqual({ code: 0, signal: null });
    expect(standalone.output).toContain('SIGTERM received: stopping');
    expect(standalone.output).toMatch(/worker stopped/);
  });

  it('a SIGTERM the moment standalone says it is running stops it with exit code 0', async () => {
    const standalone = start('standalone');
    await standalone.waitFor(/Tidemark is running at http/);
    standalone.kill('SIGTERM');

    expect(await standalone.exited, standalone.output).toEqual({ code: 0, signal: null });
    expect(standalone.output).toContain('SIGTERM received: stopping');
  });

  it('a second signal while stopping exits at once with code 130', async () => {
    const standalone = start('standalone');
    await standalone.waitFor(/Tidemark is running at http/);
    standalone.kill('SIGINT');
    await standalone.waitFor(/SIGINT received: stopping/);
    standalone.kill('SIGINT');

    expect(await standalone.exited, standalone.output).toEqual({ code: 130, signal: null });
    expect(standalone.output).toContain('SIGINT again: exiting now');
  });
});
