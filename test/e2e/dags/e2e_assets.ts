import { anyOf, asset, dag } from '@tidemark/sdk';

/**
 * Data-aware scheduling: `e2e_orders_producer` publishes two assets; `e2e_on_both` runs when both
 * have new events, `e2e_on_either` when one does. Consumers return what triggered them.
 */
const rawOrders = asset('e2e_raw_orders', { uri: 'file:///lake/raw_orders' });
const customers = asset('e2e_customers');

export const producer = dag('e2e_orders_producer', { defaults: { retries: 0 } });
producer.task(
  'publish_orders',
  async (ctx) => {
    ctx.outletEvents.of(rawOrders).extra = { rows: Number(ctx.conf.rows ?? 0), run: ctx.runId };
  },
  { outlets: [rawOrders] },
);

export const customersProducer = dag('e2e_customers_producer', { defaults: { retries: 0 } });
customersProducer.task('publish_customers', async () => undefined, { outlets: [customers] });

const describeTrigger = async (ctx: Parameters<Parameters<typeof producer.task>[1]>[0]) =>
  ctx.triggeringAssetEvents.map((event) => ({
    asset: event.asset.name,
    extra: event.extra,
    source: event.source.kind === 'task' ? `${event.source.dagId}/${event.source.taskId}` : event.source.kind,
  }));

export const onBoth = dag('e2e_on_both', { schedule: [rawOrders, customers], defaults: { retries: 0 } });
onBoth.task('consume', describeTrigger);

export const onEither = dag('e2e_on_either', { schedule: anyOf(rawOrders, customers), defaults: { retries: 0 } });
onEither.task('consume', describeTrigger);
