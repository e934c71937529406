import { describe, expect, it } from 'vitest';
import { DagDefinitionError } from '../errors.ts';
import { asset } from './asset.ts';
import { allOf } from './asset-schedule.ts';
import { dag } from './dag.ts';
import { watcher } from './watcher.ts';

function definitionError(define: () => unknown): string {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(DagDefinitionError);
    return (error as DagDefinitionError).message;
  }
  throw new Error('expected a DagDefinitionError, nothing was thrown');
}

const poll = async () => [];

describe('watcher declarations', () => {
  it('takes `every` as a duration text or milliseconds', () => {
    expect(watcher('new_files', { every: '5s' }, poll)).toMatchObject({ name: 'new_files', everyMs: 5_000 });
    expect(watcher('new_files', { every: 250 }, poll)).toMatchObject({ everyMs: 250 });
  });

  it('refuses bad names, missing or too short intervals and unknown options, saying what to write', () => {
    expect(definitionError(() => watcher('new files', { every: '5s' }, poll))).toBe(
      'watcher id "new files" is invalid: use 1–250 characters among letters, digits, "_", "-" and "."',
    );
    expect(definitionError(() => watcher('w', {} as never, poll))).toBe(
      'watcher "w" needs `every`: how often to poll, e.g. { every: "30s" }',
    );
    expect(definitionError(() => watcher('w', undefined as never, poll))).toMatch(
      /^watcher "w" needs options with `every`/,
    );
    expect(definitionError(() => watcher('w', { every: '50ms' }, poll))).toBe(
      'every of watcher "w" is 50 ms; it must be at least 100 ms ' +
        '(for a tighter loop, make the watcher an async generator that yields as it finds data)',
    );
    expect(definitionError(() => watcher('w', { every: '5' }, poll))).toBe(
      'every "5" of watcher "w" has no unit: write "5s" for seconds, or the number 5 for milliseconds',
    );
    expect(definitionError(() => watcher('w', { every: 'often' }, poll))).toMatch(
      /^every "often" of watcher "w" is not a duration/,
    );
    expect(definitionError(() => watcher('w', { every: '5s', evry: 1 } as never, poll))).toBe(
      'unknown option "evry" for watcher "w"; the options are: every',
    );
    expect(definitionError(() => watcher('w', { every: '5s' }, 'poll' as never))).toBe(
      'watcher "w" needs a function to call, got poll',
    );
  });

  it('refuses watchers of an asset that are not watchers or share a name', () => {
    const files = watcher('files', { every: '1s' }, poll);
    expect(definitionError(() => asset('inbox', { watchers: files as never }))).toMatch(
      /^watchers of asset "inbox" must be an array of watcher\(\.\.\.\) values/,
    );
    expect(definitionError(() => asset('inbox', { watchers: [files, poll as never] }))).toBe(
      'watchers of asset "inbox": entry 1 is a function, not a watcher; make it with watcher(name, { every }, fn)',
    );
    expect(definitionError(() => asset('inbox', { watchers: [files, watcher('files', { every: '2s' }, poll)] }))).toBe(
      'watchers of asset "inbox": two watchers are named "files"; give each watcher of an asset its own name',
    );
    expect(definitionError(() => asset('inbox', { url: 's3://x' } as never))).toBe(
      'unknown option "url" for asset "inbox"; the options are: uri, watchers',
    );
  });

  it('keeps an asset with watchers a plain {name, uri} reference', () => {
    const inbox = asset('inbox', { uri: 's3://in', watchers: [watcher('files', { every: '1s' }, poll)] });
    expect(inbox).toEqual({ name: 'inbox', uri: 's3://in' });
    expect(JSON.stringify(inbox)).toBe('{"name":"inbox","uri":"s3://in"}');
  });
});

describe('the watchers of a DAG', () => {
  const files = watcher('files', { every: '30s' }, poll);
  const deletions = watcher('deletions', { every: '1m' }, poll);
  const inbox = asset('inbox', { uri: 's3://in', watchers: [files, deletions] });
  const orders = asset('orders', { watchers: [watcher('orders_api', { every: 500 }, poll)] });
  const customers = asset('customers', { watchers: [watcher('crm', { every: '10s' }, poll)] });
  const plain = asset('plain');

  it('serializes the watchers of the assets in its schedule, inlets and outlets, each once', () => {
    const flow = dag('flow', { schedule: allOf(inbox, plain) });
    flow.task('load', poll, { inlets: [inbox, customers], outlets: [orders] });
    flow.task('again', poll, { inlets: [inbox] });
    expect(flow.serialize('flow.ts').watchers).toEqual([
      { name: 'files', asset: { name: 'inbox', uri: 's3://in' }, everyMs: 30_000 },
      { name: 'deletions', asset: { name: 'inbox', uri: 's3://in' }, everyMs: 60_000 },
      { name: 'crm', asset: { name: 'customers', uri: 'customers' }, everyMs: 10_000 },
      { name: 'orders_api', asset: { name: 'orders', uri: 'orders' }, everyMs: 500 },
    ]);
    expect(flow.getWatcher({ name: 'inbox', uri: 's3://in' }, 'deletions')?.watcher).toBe(deletions);
    expect(flow.getWatcher({ name: 'inbox', uri: 's3://other' }, 'deletions')).toBeUndefined();
  });

  it('finds the watchers of an asset given directly as the schedule', () => {
    expect(
      dag('on_inbox', { schedule: inbox })
        .serialize('f.ts')
        .watchers?.map((w) => w.name),
    ).toEqual(['files', 'deletions']);
    expect(dag('cron_and_inbox', { schedule: { cron: '@daily', assets: [inbox] } }).watchers).toHaveLength(2);
  });

  it('leaves `watchers` out of a DAG without any', () => {
    const quiet = dag('quiet', { schedule: plain });
    quiet.task('t', poll, { outlets: [plain] });
    expect(quiet.serialize('q.ts')).not.toHaveProperty('watchers');
  });

  it('refuses two different watchers of the same name on one asset', () => {
    const twice = asset('inbox', { uri: 's3://in', watchers: [watcher('files', { every: '5s' }, poll)] });
    const flow = dag('twice', { schedule: inbox });
    expect(definitionError(() => flow.task('t', poll, { inlets: [twice] }))).toBe(
      'DAG "twice" references two different watchers named "files" on asset "inbox"; declare the asset once ' +
        '(with its watchers) and use that value everywhere, or give the watchers different names',
    );
  });
});
