import { allOf, asset, dag } from '@tidemark/sdk';

/**
 * The asset graph's world for the UI test: `ui_export_orders` produces `ui_orders`; `ui_orders_report`
 * runs when both `ui_orders` and `ui_customers` have a new event; `ui_orders_audit` reads `ui_orders`
 * (an inlet) but is not scheduled on it.
 */
const orders = asset('ui_orders');
const customers = asset('ui_customers', { uri: 's3://crm/customers.parquet' });

export const exporter = dag('ui_export_orders', { schedule: null, defaults: { retries: 0 } });
exporter.task(
  'export_orders',
  async (ctx) => {
    ctx.outletEvents.of(orders).extra = { rows: 42 };
  },
  { outlets: [orders] },
);

export const report = dag('ui_orders_report', { schedule: allOf(orders, customers), defaults: { retries: 0 } });
report.task('build_report', async (ctx) => ctx.triggeringAssetEvents.length, { inlets: [orders] });

export const audit = dag('ui_orders_audit', { schedule: null, defaults: { retries: 0 } });
audit.task('audit_orders', async () => 'ok', { inlets: [orders] });
