import { allOf, asset, dag } from '@tidemark/sdk';

/**
 * Data-aware scheduling (SPEC §15): `example_ingest` lands orders and customers every two minutes;
 * each task's success emits an event of its outlet, with what it landed as the event's `extra`.
 * `example_sales_report` has no cron: it runs when both assets have new events since its last run,
 * and reads those events from `ctx.triggeringAssetEvents`. `tidemark assets emit example_orders`
 * adds an event by hand.
 */
const orders = asset('example_orders', { uri: 'file:///lake/example/orders' });
const customers = asset('example_customers', { uri: 'file:///lake/example/customers' });

export const ingest = dag('example_ingest', {
  description: 'Lands orders and customers; each success emits an asset event',
  schedule: '*/2 * * * *',
  tags: ['example', 'assets'],
});

ingest.task(
  'land_orders',
  async (ctx) => {
    const rows = 100 + Math.floor(Math.random() * 50);
    ctx.outletEvents.of(orders).extra = { rows, batch: ctx.runId };
    ctx.log.info(`landed ${rows} orders`);
  },
  { outlets: [orders] },
);

ingest.task(
  'land_customers',
  async (ctx) => {
    ctx.outletEvents.of(customers).extra = { batch: ctx.runId };
  },
  { outlets: [customers] },
);

export const salesReport = dag('example_sales_report', {
  description: 'Runs when orders and customers both have new data',
  schedule: allOf(orders, customers),
  tags: ['example', 'assets'],
});

salesReport.task(
  'build_report',
  async (ctx) => {
    for (const event of ctx.triggeringAssetEvents) {
      const from = event.source.kind === 'task' ? `${event.source.dagId}.${event.source.taskId}` : event.source.kind;
      ctx.log.info(`${event.asset.name} changed (${JSON.stringify(event.extra)}) by ${from}`);
    }
    const orderRows = ctx.triggeringAssetEvents
      .filter((event) => event.asset.name === orders.name)
      .reduce((sum, event) => sum + Number(event.extra.rows ?? 0), 0);
    return { events: ctx.triggeringAssetEvents.length, order_rows: orderRows };
  },
  { inlets: [orders, customers] },
);
