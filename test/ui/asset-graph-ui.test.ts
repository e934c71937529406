import { recordAssetEvent } from '@tidemark/db';
import { waitUntil } from '@tidemark/db/testing';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, WatchedPage } from './support/browser.ts';
import { buildUi, TidemarkUiServer, UI_DAGS, type UiUser } from './support/tidemark-ui-server.ts';

/**
 * Data-aware scheduling in the web UI, in a real Chromium against a real `tidemark standalone` on
 * test/ui/dags (ui_asset_pipeline.ts): the asset graph, what an asset-scheduled DAG waits for, the
 * events that triggered a run, and where each event came from (task, API user, watcher).
 */

const PRODUCER = 'ui_export_orders';
const CONSUMER = 'ui_orders_report';
const READER = 'ui_orders_audit';
const ORDERS = 'ui_orders';
const CUSTOMERS = 'ui_customers';
const WATCHER = 'crm_drop_watcher';
const POLL = { timeout: 20_000 };

interface AssetBody {
  readonly id: number;
  readonly name: string;
}

interface DagRunBody {
  readonly dag_run_id: string;
  readonly state: string;
  readonly run_type: string;
}

describe('web UI: data-aware scheduling', () => {
  let server: TidemarkUiServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  const assetIds = new Map<string, number>();

  beforeAll(async () => {
    buildUi();
    server = await TidemarkUiServer.start(UI_DAGS);
    browser = await launchBrowser();
    await server.env.waitForDag(CONSUMER);
    const assets = (await server.api(server.op, 'GET', '/api/v2/assets')).body as { assets: AssetBody[] };
    for (const asset of assets.assets) assetIds.set(asset.name, asset.id);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  afterEach(async () => {
    for (const watched of pages.splice(0)) {
      await watched.close();
      expect(watched.problems, 'console errors and uncaught exceptions').toEqual([]);
      expect(watched.failedResponses).toEqual([]);
    }
  });

  async function signedIn(user: UiUser): Promise<WatchedPage> {
    const watched = await WatchedPage.open(browser, server.url, DESKTOP);
    pages.push(watched);
    const { page } = watched;
    await page.goto('/');
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('current-user').getByText(user.username).waitFor();
    return watched;
  }

  function assetId(name: string): number {
    const id = assetIds.get(name);
    if (id === undefined) throw new Error(`the DAGs of test/ui/dags declare no asset ${name}`);
    return id;
  }

  /** Where an element is once the graph's zoom or pan animation has ended (two reads agree). */
  async function settledBox(locator: Locator) {
    let last = '';
    return waitUntil(
      async () => {
        const box = await locator.boundingBox();
        const seen = JSON.stringify(box);
        const settled = box !== null && seen === last;
        last = seen;
        return settled ? box : undefined;
      },
      'the graph to stop moving',
      10_000,
      100,
    );
  }

  async function consumerRuns(): Promise<DagRunBody[]> {
    const answer = await server.api(server.op, 'GET', `/api/v2/dags/${CONSUMER}/dagRuns`);
    return (answer.body as { dag_runs: DagRunBody[] }).dag_runs;
  }

  it('draws DAGs and assets with their edges, pans and zooms, and follows an edge and a node to their pages', async () => {
    const watched = await signedIn(server.viewer);
    const { page } = watched;
    await page.getByRole('link', { name: 'Assets', exact: true }).click();
    await page.getByRole('link', { name: 'Show as a graph' }).click();
    await page.waitForURL(/\/assets\/graph$/);
    const graph = page.getByTestId('asset-graph');
    for (const name of [PRODUCER, ORDERS, CUSTOMERS, CONSUMER, READER]) {
      await graph.getByRole('link', { name, exact: true }).waitFor();
    }
    const produces = graph.getByRole('link', { name: `${PRODUCER} produces ${ORDERS} (export_orders)` });
    const schedules = graph.getByRole('link', { name: `${ORDERS} schedules ${CONSUMER} (build_report)` });
    const customers = graph.getByRole('link', { name: `${CUSTOMERS} schedules ${CONSUMER}`, exact: true });
    const reads = graph.getByRole('link', { name: `${READER} reads ${ORDERS} (audit_orders)` });
    // A straight edge's box has no height, which Playwright counts as hidden: attached is enough here.
    for (const edge of [produces, schedules, customers, reads]) await edge.waitFor({ state: 'attached' });
    expect(await reads.getAttribute('class')).toContain('graph-edge-inlet');
    expect(await schedules.getAttribute('class')).toContain('graph-edge-schedules');

    // Laid out left to right: producer, asset, consumer.
    const x = async (name: string) => (await graph.getByRole('link', { name, exact: true }).boundingBox())?.x ?? 0;
    expect(await x(PRODUCER)).toBeLessThan(await x(ORDERS));
    expect(await x(ORDERS)).toBeLessThan(await x(CONSUMER));
    await watched.screenshot('asset-graph');

    // Zoom in with the controls, then pan by dragging the background: the nodes move on screen.
    const consumerNode = graph.getByRole('link', { name: CONSUMER, exact: true });
    const before = await settledBox(consumerNode);
    await graph.getByRole('button', { name: 'Zoom In' }).click();
    const zoomed = await settledBox(consumerNode);
    expect(zoomed.width).toBeGreaterThan(before.width);
    const pane = await graph.boundingBox();
    if (!pane) throw new Error('the graph has no box');
    await page.mouse.move(pane.x + 40, pane.y + 40);
    await page.mouse.down();
    await page.mouse.move(pane.x + 140, pane.y + 90, { steps: 5 });
    await page.mouse.up();
    const panned = await settledBox(consumerNode);
    expect(panned.x - zoomed.x).toBeCloseTo(100, -1);
    expect(panned.y - zoomed.y).toBeCloseTo(50, -1);

    // Back to the whole graph; following the schedule edge opens the consumer DAG's page.
    await graph.getByRole('button', { name: 'Fit View' }).click();
    await schedules.click();
    await page.waitForURL(new RegExp(`/dags/${CONSUMER}$`));
    await page.getByRole('heading', { name: CONSUMER }).waitFor();

    // From the keyboard: Enter on a focused edge follows it too.
    await page.goBack();
    await produces.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/assets/${assetId(ORDERS)}$`));
    await page.getByRole('heading', { name: ORDERS }).waitFor();

    // A node links to its page.
    await page.goBack();
    await page.getByTestId('asset-graph').getByRole('link', { name: CUSTOMERS, exact: true }).click();
    await page.waitForURL(new RegExp(`/assets/${assetId(CUSTOMERS)}$`));
    await page.getByRole('heading', { name: CUSTOMERS }).waitFor();
  }, 120_000);

  it('shows what the DAG waits for, the events that triggered its run, and where each event came from', async () => {
    const watched = await signedIn(server.op);
    const { page } = watched;
    await page.goto(`/dags/${CONSUMER}`);
    const condition = page.getByTestId('asset-condition');
    await condition.getByText(`all(${ORDERS}, ${CUSTOMERS})`).waitFor();
    const queue = page.getByTestId('asset-queue');
    await queue.getByText('0 queued events').waitFor();
    await queue.getByText(ORDERS, { exact: true }).waitFor();
    await queue.getByText(CUSTOMERS, { exact: true }).waitFor();

    // A watcher reports new customers (watchers come with the triggerer; its event is recorded as one would be).
    await recordAssetEvent(
      server.env.database.db,
      {
        assetId: assetId(CUSTOMERS),
        extra: { file: 'customers-2026-12-05.parquet' },
        source: { kind: 'watcher', watcher: WATCHER },
      },
      Date.now(),
    );
    await queue.getByText('1 queued event', { exact: true }).waitFor(POLL);
    await expect.poll(() => queue.getByText(CUSTOMERS, { exact: true }).count(), POLL).toBe(0);
    await queue.getByText(ORDERS, { exact: true }).waitFor();
    await watched.screenshot('dag-asset-condition');
    expect(await consumerRuns()).toEqual([]);

    // The producer's success emits the other event: the condition holds, the consumer runs once.
    const triggered = await server.api(server.op, 'POST', `/api/v2/dags/${PRODUCER}/dagRuns`, { conf: {} });
    expect(triggered.status).toBe(200);
    const producerRun = (triggered.body as DagRunBody).dag_run_id;
    const consumerRun = await waitUntil(
      async () => (await consumerRuns()).find((run) => run.run_type === 'asset_triggered'),
      `an asset-triggered run of ${CONSUMER}`,
      60_000,
      200,
    );
    await queue.getByText('0 queued events').waitFor(POLL);

    await page.goto(`/dags/${CONSUMER}/runs/${encodeURIComponent(consumerRun.dag_run_id)}`);
    const events = page.getByTestId('triggering-asset-events');
    const ordersRow = events.locator('tr', { has: page.getByRole('link', { name: ORDERS, exact: true }) });
    const customersRow = events.locator('tr', { has: page.getByRole('link', { name: CUSTOMERS, exact: true }) });
    await ordersRow.getByRole('link', { name: `${PRODUCER} / ${producerRun} / export_orders` }).waitFor();
    await ordersRow.getByText('try 1').waitFor();
    await ordersRow.getByText('"rows": 42').waitFor();
    await customersRow.getByText(`watcher ${WATCHER}`).waitFor();
    await customersRow.getByText('"file": "customers-2026-12-05.parquet"').waitFor();
    expect(await events.locator('tbody tr').count()).toBe(2);
    await watched.screenshot('run-triggering-asset-events');

    // An operator posts an event through the API: the asset's event list names the user.
    const posted = await server.api(server.op, 'POST', '/api/v2/assets/events', {
      asset_id: assetId(CUSTOMERS),
      extra: { note: 'loaded by hand' },
    });
    expect(posted.status).toBe(200);
    await customersRow.getByRole('link', { name: CUSTOMERS, exact: true }).click();
    await page.getByRole('heading', { name: CUSTOMERS }).waitFor();
    const assetEvents = page.getByTestId('asset-events');
    await assetEvents.getByText(`user ${server.op.username}`).waitFor(POLL);
    await assetEvents.getByText(`watcher ${WATCHER}`).waitFor();
    await assetEvents.getByText('"note": "loaded by hand"').waitFor();
    await watched.screenshot('asset-event-sources');

    await page.goto(`/assets/${assetId(ORDERS)}`);
    await page
      .getByTestId('asset-events')
      .getByRole('link', { name: `${PRODUCER} / ${producerRun} / export_orders` })
      .waitFor();
  }, 120_000);

  it('shows an asset’s watchers next to its state: one running with its event, one backing off with its error', async () => {
    const watched = await signedIn(server.op);
    const { page } = watched;
    const landingId = await waitUntil(
      async () => {
        const found = (await server.api(server.op, 'GET', '/api/v2/assets?name_pattern=ui_landing')).body as {
          assets: AssetBody[];
        };
        return found.assets[0]?.id;
      },
      'asset ui_landing',
      60_000,
      200,
    );
    await page.goto(`/assets/${landingId}?tab=state`);
    const table = page.getByTestId('asset-watchers');
    const steady = table.locator('tr[data-watcher="steady"]');
    const flaky = table.locator('tr[data-watcher="flaky"]');
    await steady.getByText('running').waitFor(POLL);
    await expect.poll(() => steady.locator('td[data-label="Events"]').textContent(), POLL).toBe('1');
    await flaky.getByText('source unreachable: connection refused by ui-landing.example:21').waitFor(POLL);
    await flaky.getByText(/failed in a row/).waitFor(POLL);
    await flaky.getByText('backing off').waitFor(POLL);
    await page.getByRole('cell', { name: 'found', exact: true }).waitFor(POLL);
    await watched.screenshot('asset-watchers');
  }, 120_000);
});
