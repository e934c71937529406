import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '@tidemark/db/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, PHONE, WatchedPage } from './support/browser.ts';
import { buildUi, TidemarkUiServer, type UiUser } from './support/tidemark-ui-server.ts';

/**
 * The web UI in a real Chromium against a real `tidemark standalone` on examples/dags. SQLite only:
 * the UI talks to the public API alone and never touches the database, which the API tests cover
 * on both dialects.
 */

const DAG = 'example_checkpoint';
const TASK = 'process_items';
const PROGRESS_KEY = 'items';
const ITEMS = 300;
/** How long expect.poll waits for the page to show something (it refreshes on its own). */
const POLL = { timeout: 20_000 };
const ASSET = 'example_source_files';

interface StateEntryBody {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly expires_at?: string | null;
}

describe('web UI', () => {
  let server: TidemarkUiServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  /** The run the first test triggers through the UI; later tests edit its task state. */
  let runId: string;

  beforeAll(async () => {
    buildUi();
    server = await TidemarkUiServer.start();
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  afterEach(async () => {
    for (const watched of pages.splice(0)) {
      await watched.close();
      expect(watched.problems, 'console errors and uncaught exceptions').toEqual([]);
    }
  });

  async function open(viewport: { width: number; height: number } = DESKTOP): Promise<WatchedPage> {
    const watched = await WatchedPage.open(browser, server.url, viewport);
    pages.push(watched);
    return watched;
  }

  async function signIn(page: Page, user: UiUser): Promise<void> {
    await page.goto('/');
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('current-user').getByText(user.username).waitFor();
  }

  function taskStatePath(key = '') {
    return `/api/v2/dags/${DAG}/dagRuns/${encodeURIComponent(runId)}/taskInstances/${TASK}/state-store${key ? `/${key}` : ''}`;
  }

  async function readTaskState(key: string) {
    return server.api(server.op, 'GET', taskStatePath(key)) as Promise<{ status: number; body: StateEntryBody }>;
  }

  /** The value the progress bar shows now, or undefined when there is no bar (yet). */
  async function progressValue(page: Page): Promise<number | undefined> {
    const bar = page.getByRole('progressbar', { name: `progress of ${PROGRESS_KEY}` });
    if ((await bar.count()) === 0) return undefined;
    const now = await bar.getAttribute('aria-valuenow');
    return now === null ? undefined : Number(now);
  }

  it('an operator signs in, triggers a DAG with a conf and watches its progress bar move while it runs', async () => {
    const watched = await open();
    const { page } = watched;
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await watched.screenshot('login');
    await signIn(page, server.op);

    await page.getByTestId('dag-list').getByRole('link', { name: DAG }).waitFor();
    await watched.screenshot('dag-list');
    await page.getByTestId('dag-list').getByRole('link', { name: DAG }).click();

    await page.getByRole('button', { name: 'Trigger' }).click();
    const conf = page.getByLabel('Conf (JSON object)');
    await conf.fill('{"items": ');
    await expect.poll(() => page.getByText(/Not valid JSON/).count(), POLL).toBe(1);
    await conf.fill(JSON.stringify({ items: ITEMS, item_ms: 40 }));
    await page.getByRole('form', { name: 'Trigger a run' }).getByRole('button', { name: 'Trigger' }).click();

    await page.waitForURL(/\/dags\/example_checkpoint\/runs\//);
    runId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) as string);
    await page.getByTestId('task-instances').getByRole('link', { name: TASK }).click();
    await page.getByRole('tab', { name: 'Storage' }).click();

    // The bar's successive values, read until the task has done every item.
    const seen: number[] = [];
    await waitUntil(
      async () => {
        const value = await progressValue(page);
        if (value !== undefined && value !== seen.at(-1)) seen.push(value);
        return value === ITEMS;
      },
      'the progress bar to reach the total',
      90_000,
      200,
    );
    expect(seen, 'never goes back').toEqual([...seen].sort((a, b) => a - b));
    expect(
      seen.some((value) => value > 0 && value < ITEMS),
      `values between 0 and ${ITEMS}: ${seen}`,
    ).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(3);

    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByTestId('log').waitFor();
    await page.getByRole('tab', { name: 'Storage' }).click();
    await page.getByRole('progressbar').waitFor();
    await watched.screenshot('task-instance-storage');

    await page.getByRole('link', { name: runId }).click();
    await page.getByTestId('task-instances').getByText('success').waitFor({ timeout: 60_000 });
    await watched.screenshot('run');
    await page.getByRole('link', { name: DAG }).first().click();
    await page.getByTestId('run-grid').waitFor();
    await watched.screenshot('dag-grid');
    // A running try's log can be asked for a moment before its first lines arrive (404, then followed).
    const unexpected = watched.failedResponses.filter(
      ({ status, path }) => !(status === 404 && path.includes('/logs/')),
    );
    expect(unexpected).toEqual([]);
  }, 180_000);

  it('edits, adds and deletes task state that the API then reads back, and explains a lost compare-and-set', async () => {
    const watched = await open();
    const { page } = watched;
    await signIn(page, server.op);
    const before = await readTaskState(PROGRESS_KEY);
    expect(before.status).toBe(200);

    await page.goto(`/dags/${DAG}/runs/${encodeURIComponent(runId)}/tasks/${TASK}?tab=storage`);
    const row = page.locator(`tr[data-key="${PROGRESS_KEY}"]`);
    await row.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByTestId('state-editor');
    const value = editor.getByLabel('Value (JSON)');
    await value.fill('{"done": 12, "total": ');
    await expect.poll(() => editor.getByRole('button', { name: 'Save' }).isDisabled(), POLL).toBe(true);
    await value.fill(JSON.stringify({ done: 12, total: ITEMS, note: 'set by hand' }));
    await editor.getByLabel('never', { exact: true }).check();
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'detached' });

    const edited = await readTaskState(PROGRESS_KEY);
    expect(edited.body).toMatchObject({
      value: { done: 12, total: ITEMS, note: 'set by hand' },
      version: before.body.version + 1,
      expires_at: null,
    });
    await expect.poll(() => progressValue(page), POLL).toBe(12);

    // Someone else writes between the UI's read and its save: the save is refused, not lost.
    await row.getByRole('button', { name: 'Edit' }).click();
    await value.fill(JSON.stringify({ done: 13, total: ITEMS }));
    const meanwhile = await server.api(server.op, 'PUT', taskStatePath(PROGRESS_KEY), {
      value: { done: 99, total: ITEMS },
      expires_at: null,
    });
    expect(meanwhile.status).toBe(200);
    await editor.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByTestId('conflict');
    await conflict.getByText('Changed meanwhile').waitFor();
    await editor.scrollIntoViewIfNeeded();
    await watched.screenshot('state-conflict');
    expect((await readTaskState(PROGRESS_KEY)).body.value).toEqual({ done: 99, total: ITEMS });
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(async () => JSON.parse(await value.inputValue()), POLL).toEqual({ done: 99, total: ITEMS });
    await editor.getByRole('button', { name: 'Cancel' }).click();

    // A new key with an expiry date, then deleted.
    await page.getByRole('button', { name: 'Add key' }).click();
    await editor.getByLabel('Key').fill('owner/note');
    await value.fill('"hand-written"');
    await editor.getByLabel('at', { exact: true }).check();
    await editor.getByLabel('Expiry date and time').fill('2099-01-02T03:04');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'detached' });
    const added = await readTaskState(encodeURIComponent('owner/note'));
    expect(added.body).toMatchObject({ value: 'hand-written', version: 1 });
    expect(new Date(added.body.expires_at as string).getFullYear()).toBe(2099);
    await page.locator('tr[data-key="owner/note"]').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-key="owner/note"]').waitFor({ state: 'detached' });
    expect((await readTaskState(encodeURIComponent('owner/note'))).status).toBe(404);

    expect(watched.failedResponses).toEqual([{ status: 412, method: 'PATCH', path: taskStatePath(PROGRESS_KEY) }]);
  }, 120_000);

  it('restores an earlier version of a task-state key from its history', async () => {
    const watched = await open();
    const { page } = watched;
    await signIn(page, server.op);
    const current = await readTaskState(PROGRESS_KEY);
    const history = (await server.api(server.op, 'GET', `${taskStatePath(PROGRESS_KEY)}/history`)).body as {
      history: { version: number; value: unknown }[];
    };
    const target = history.history.find(
      (entry) => JSON.stringify(entry.value) === JSON.stringify({ done: 12, total: ITEMS, note: 'set by hand' }),
    );
    expect(target).toBeDefined();

    await page.goto(`/dags/${DAG}/runs/${encodeURIComponent(runId)}/tasks/${TASK}?tab=storage`);
    await page.locator(`tr[data-key="${PROGRESS_KEY}"]`).getByRole('button', { name: 'History' }).click();
    const panel = page.getByTestId('state-history');
    await panel.getByText(`v${current.body.version}`).first().waitFor();
    await panel.getByRole('button', { name: `Diff version ${target?.version} with the current value` }).click();
    await panel.getByTestId('diff').getByText('"note": "set by hand"').waitFor();
    await panel.scrollIntoViewIfNeeded();
    await watched.screenshot('state-history');
    await panel.getByRole('button', { name: `Restore version ${target?.version}`, exact: true }).click();

    await waitUntil(async () => (await readTaskState(PROGRESS_KEY)).body.version > current.body.version, 'the restore');
    const restored = await readTaskState(PROGRESS_KEY);
    expect(restored.body).toMatchObject({
      value: { done: 12, total: ITEMS, note: 'set by hand' },
      version: current.body.version + 1,
    });
    await expect.poll(() => progressValue(page), POLL).toBe(12);
    expect(watched.failedResponses).toEqual([]);
  }, 120_000);

  it('asset state: an op clears it; a viewer sees no edit buttons and the API refuses the viewer', async () => {
    const assets = (await server.api(server.op, 'GET', '/api/v2/assets')).body as {
      assets: { id: number; name: string }[];
    };
    const asset = assets.assets.find((candidate) => candidate.name === ASSET);
    expect(asset, `examples/dags declares the asset ${ASSET}`).toBeDefined();
    const statePath = `/api/v2/assets/${asset?.id}/state-store`;

    // A task writes the watermark: the state tab names the task instance that wrote it, and links to it.
    const sourceDir = join(server.env.home, 'watermark-source');
    mkdirSync(sourceDir, { recursive: true });
    for (const name of ['2026-11-24T09-00_orders.csv', '2026-11-24T10-00_orders.csv'])
      writeFileSync(join(sourceDir, name), '');
    const triggered = await server.api(server.op, 'POST', '/api/v2/dags/example_watermark/dagRuns', { conf: {} });
    expect(triggered.status).toBe(200);
    const watermarkRun = (triggered.body as { dag_run_id: string }).dag_run_id;
    await waitUntil(
      async () => {
        const run = await server.api(server.op, 'GET', `/api/v2/dags/example_watermark/dagRuns/${watermarkRun}`);
        return (run.body as { state: string }).state === 'success';
      },
      'the example_watermark run to succeed',
      60_000,
      200,
    );

    const seed = async () => {
      expect(
        (await server.api(server.op, 'PUT', `${statePath}/loaded_until`, { value: '2026-11-24T10-00_orders.csv' }))
          .status,
      ).toBe(200);
      expect((await server.api(server.op, 'PUT', `${statePath}/files_seen`, { value: { count: 3 } })).status).toBe(200);
    };

    const operator = await open();
    await signIn(operator.page, server.op);
    await operator.page.getByRole('link', { name: 'Assets' }).click();
    await operator.page.getByTestId('asset-list').getByRole('link', { name: ASSET }).waitFor();
    await operator.screenshot('assets');
    await operator.page.getByTestId('asset-list').getByRole('link', { name: ASSET }).click();
    await operator.page
      .getByTestId('asset-events')
      .getByRole('link', { name: `example_watermark / ${watermarkRun} / load_new_files` })
      .waitFor();
    await operator.page.getByRole('tab', { name: 'Asset state' }).click();
    const table = operator.page.getByTestId('asset-state');
    const writer = table
      .locator('tr[data-key="loaded_until"]')
      .getByRole('link', { name: 'example_watermark.load_new_files try 1' });
    await table.locator('tr[data-key="loaded_until"]').getByText(`run ${watermarkRun}`).waitFor();
    await writer.click();
    await operator.page.getByRole('heading', { name: 'load_new_files' }).waitFor();
    await operator.page.goBack();
    await seed();
    await table.locator('tr[data-key="loaded_until"]').getByText(`user ${server.op.username}`).waitFor();
    await operator.screenshot('asset-state');
    await table.getByRole('button', { name: 'Clear all' }).click();
    await table.getByText('No asset state.').waitFor();
    expect((await server.api(server.op, 'GET', statePath)).body).toMatchObject({ total_entries: 0 });

    await seed();
    const viewer = await open(PHONE);
    await signIn(viewer.page, server.viewer);
    await viewer.page.getByTestId('dag-list').getByRole('link', { name: DAG }).waitFor();
    expect(await viewer.page.getByRole('switch').count(), 'pause switches for a viewer').toBe(0);
    await viewer.screenshot('dag-list-phone');
    await viewer.page.goto(`/assets/${asset?.id}?tab=state`);
    const viewerTable = viewer.page.getByTestId('asset-state');
    await viewerTable.locator('tr[data-key="loaded_until"]').waitFor();
    for (const name of ['Clear all', 'Add key', 'Edit', 'Delete']) {
      expect(await viewerTable.getByRole('button', { name }).count(), `${name} for a viewer`).toBe(0);
    }
    expect(await viewerTable.getByRole('button', { name: 'History' }).count()).toBe(2);
    await viewer.screenshot('asset-state-phone');
    const refused = await server.api(server.viewer, 'DELETE', statePath);
    expect(refused.status).toBe(403);
    expect((await server.api(server.op, 'GET', statePath)).body).toMatchObject({ total_entries: 2 });

    await viewer.page.goto(`/dags/${DAG}/runs/${encodeURIComponent(runId)}/tasks/${TASK}?tab=storage`);
    await viewer.page.getByRole('progressbar').waitFor();
    expect(await viewer.page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'Clear' }).count()).toBe(0);
    await viewer.screenshot('task-instance-storage-phone');
    expect([...operator.failedResponses, ...viewer.failedResponses]).toEqual([]);
  }, 120_000);

  it('DAG state: the State tab of the DAG page lists it with its writer, shows its history and clears it (SPEC §17)', async () => {
    const statePath = `/api/v2/dags/${DAG}/state-store`;
    expect((await server.api(server.op, 'PUT', `${statePath}/registry`, { value: { runs: 1 } })).status).toBe(200);
    const operator = await open();
    await signIn(operator.page, server.op);
    await operator.page.goto(`/dags/${DAG}`);
    await operator.page.getByRole('tab', { name: 'State' }).click();
    const table = operator.page.getByTestId('dag-state');
    await table.locator('tr[data-key="registry"]').getByText(`user ${server.op.username}`).waitFor();
    expect(new URL(operator.page.url()).search).toBe('?tab=state');
    await operator.screenshot('dag-state');
    await table.locator('tr[data-key="registry"]').getByRole('button', { name: 'History' }).click();
    await operator.page.getByText('v1').first().waitFor();
    await table.getByRole('button', { name: 'Clear all' }).click();
    await table.getByText('No DAG state.').waitFor();
    expect((await server.api(server.op, 'GET', statePath)).body).toMatchObject({ total_entries: 0 });
    expect(operator.failedResponses).toEqual([]);
  }, 60_000);

  it('sends the user back to sign in when the server refuses the stored token', async () => {
    const watched = await open();
    const { page } = watched;
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { sub: server.op.username, kind: 'user', role: 'op', exp: Math.floor(Date.now() / 1000) + 3600 };
    const forged = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.not-the-signature`;
    await page.goto('/');
    await page.evaluate(`localStorage.setItem('tidemark.session.token', ${JSON.stringify(forged)})`);
    await page.goto(`/dags/${DAG}`);
    await page.getByText('Your session ended; sign in again.').waitFor();
    expect(watched.failedResponses.length).toBeGreaterThan(0);
    expect(watched.failedResponses.filter((response) => response.status !== 401)).toEqual([]);
  });

  it('leaves the API alone: an unknown API path is a JSON 404, and a deep link loads the app', async () => {
    const unknown = await fetch(`${server.url}/api/v2/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detail: { reason: 'not_found' } });
    const deep = await fetch(`${server.url}/dags/${DAG}/runs/${encodeURIComponent(runId)}`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root"></div>');
  });
});
