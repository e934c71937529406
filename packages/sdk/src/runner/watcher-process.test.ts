import { fileURLToPath } from 'node:url';
import type { WatcherPollSpec, WatcherProcessRequest } from '@tidemark/core/task-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RequestAnswer, TestTriggerer } from './fixtures/test-triggerer.ts';

const FIXTURE_DAG_FILE = fileURLToPath(new URL('./fixtures/watcher-process-dag.ts', import.meta.url));

function pollOf(watcherName: string, overrides: Partial<WatcherPollSpec> = {}): Omit<WatcherPollSpec, 'pollId'> {
  return {
    watcherId: 1,
    watcherName,
    asset: { name: 'inbox', uri: 'file:///data/inbox' },
    dagId: 'watcher_fixture',
    dagFile: FIXTURE_DAG_FILE,
    ...overrides,
  };
}

const committed: RequestAnswer = { ok: true, value: { event_ids: [] } };

function commitsOf(requests: readonly WatcherProcessRequest[]) {
  return requests.flatMap((request) => (request.method === 'commit' ? [request.params] : []));
}

describe.concurrent('the watcher process', () => {
  let triggerer: TestTriggerer;
  beforeAll(() => {
    triggerer = new TestTriggerer();
  });
  afterAll(async () => {
    await triggerer.close();
  });

  it('reads state through the triggerer and commits the events with the state it staged', async () => {
    const { result } = triggerer.poll(pollOf('returns_events'), (request) =>
      request.method === 'state.get' ? { ok: true, value: { value: 4, version: 7 } } : committed,
    );
    const { finished, requests, logs } = await result;
    expect(finished).toEqual({ type: 'finished', pollId: expect.any(Number), outcome: 'ok' });
    expect(requests).toEqual([
      { method: 'state.get', params: { key: 'cursor' } },
      {
        method: 'commit',
        params: {
          events: [{ extra: { file: 'f5' } }, { extra: { file: 'f6' } }],
          state: [{ key: 'cursor', operation: 'set', value: 6 }],
        },
      },
    ]);
    expect(logs).toEqual(['found files {"after":4}']);
  });

  it('reads the state sent with the poll in its own process, and sends the versions it read with the commit', async () => {
    const state = [
      { key: 'cursor', value: 4, version: 7 },
      { key: 'other', value: 'x', version: 2 },
    ];
    const { finished, requests } = await triggerer.poll(pollOf('returns_events', { state }), () => committed).result;
    expect(finished.outcome).toBe('ok');
    expect(requests).toEqual([
      {
        method: 'commit',
        params: {
          events: [{ extra: { file: 'f5' } }, { extra: { file: 'f6' } }],
          state: [{ key: 'cursor', operation: 'set', value: 6 }],
          read: { cursor: 7 },
        },
      },
    ]);

    const listed = await triggerer.poll(pollOf('returns_nothing', { state }), () => committed).result;
    expect([listed.finished.outcome, listed.requests]).toEqual(['ok', []]);
  });

  it('reads through the triggerer once it committed, and a key the poll state lacks as absent (version 0)', async () => {
    const { finished, requests, logs } = await triggerer.poll(pollOf('reads_after_yield', { state: [] }), (request) =>
      request.method === 'state.get' ? { ok: true, value: { value: 1, version: 1 } } : committed,
    ).result;
    expect(finished.outcome).toBe('ok');
    expect(requests).toEqual([
      {
        method: 'commit',
        params: {
          events: [{ extra: { first: 0 } }],
          state: [{ key: 'cursor', operation: 'set', value: 1 }],
          read: { cursor: 0 },
        },
      },
      { method: 'state.get', params: { key: 'cursor' } },
    ]);
    expect(logs).toEqual(['cursor after the commit: 1']);
  });

  it("commits a generator's yields one by one, each before the generator continues", async () => {
    const { result } = triggerer.poll(pollOf('yields_batches'), async () => {
      // Answered late: a generator that did not wait would log "resumed" before the answer.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return committed;
    });
    const { finished, timeline } = await result;
    expect(finished.outcome).toBe('ok');
    expect(
      timeline.map((entry) =>
        entry.kind === 'request'
          ? `commit ${JSON.stringify(entry.request.params)}`
          : entry.kind === 'answered'
            ? 'answered'
            : entry.message,
      ),
    ).toEqual([
      'commit {"events":[{"extra":{"batch":1}}],"state":[{"key":"cursor","operation":"advance","value":1}]}',
      'answered',
      'resumed after batch 1',
      'commit {"events":[{"extra":{"batch":2}}],"state":[{"key":"cursor","operation":"advance","value":2}]}',
      'answered',
      'resumed after batch 2',
      'commit {"events":[{"extra":{"batch":3}}],"state":[{"key":"cursor","operation":"advance","value":3}]}',
      'answered',
      'resumed after batch 3',
      'generator closed',
    ]);
  });

  it('ends a generator whose commit is refused, running its finally blocks', async () => {
    let commits = 0;
    const { result } = triggerer.poll(pollOf('yields_batches'), () =>
      ++commits === 2
        ? { ok: false, code: 'state_conflict', message: 'state key "cursor" is at version 9, not 8' }
        : committed,
    );
    const { finished, requests, logs } = await result;
    expect(finished.outcome).toBe('ended');
    expect(commitsOf(requests).map((commit) => commit.events)).toEqual([
      [{ extra: { batch: 1 } }],
      [{ extra: { batch: 2 } }],
    ]);
    expect(logs).toEqual(['resumed after batch 1', 'generator closed']);
  });

  it('reports what a watcher threw, with the line of the DAG file, and commits nothing', async () => {
    const { finished, requests } = await triggerer.poll(pollOf('throws')).result;
    expect(requests).toEqual([]);
    expect(finished).toMatchObject({ outcome: 'error' });
    expect(finished.type === 'finished' && finished.outcome === 'error' && finished.error).toMatch(
      /^Error: the source is unreachable\n\s+at .*watcher-process-dag\.ts:\d+/,
    );
  });

  it('commits nothing when a poll found nothing and staged nothing', async () => {
    const { finished, requests, logs } = await triggerer.poll(pollOf('returns_nothing'), () => ({
      ok: true,
      value: { keys: ['cursor', 'seen'] },
    })).result;
    expect(finished.outcome).toBe('ok');
    expect(requests).toEqual([{ method: 'state.keys', params: {} }]);
    expect(logs).toEqual(['keys: cursor,seen']);
  });

  it('commits staged state without events, and shows what it staged to its own reads', async () => {
    const { finished, requests, logs } = await triggerer.poll(pollOf('state_only'), (request) =>
      request.method === 'state.keys' ? { ok: true, value: { keys: ['old', 'cursor'] } } : committed,
    ).result;
    expect(finished.outcome).toBe('ok');
    expect(commitsOf(requests)).toEqual([
      {
        events: [],
        state: [
          { key: 'seen', operation: 'set', value: true },
          { key: 'old', operation: 'delete' },
        ],
      },
    ]);
    expect(logs).toEqual(['staged keys: cursor,seen']);
  });

  it('fails a poll that returned something other than events, saying what events look like', async () => {
    const { finished, requests } = await triggerer.poll(pollOf('bad_events')).result;
    expect(requests).toEqual([]);
    expect(finished).toMatchObject({
      outcome: 'error',
      error:
        'watcher "bad_events" of asset "inbox" returned something that is not events: the string "a.csv" ' +
        '(return a list of events, or nothing); events look like [{ extra: { file: "a.csv" } }]',
    });
  });

  it('fails a poll of a watcher the DAG file no longer declares, naming the ones it does', async () => {
    const { finished } = await triggerer.poll(pollOf('renamed')).result;
    expect(finished).toMatchObject({ outcome: 'error' });
    expect(finished).toHaveProperty(
      'error',
      expect.stringMatching(
        /^watcher "renamed" of asset "inbox" is not declared in DAG "watcher_fixture" of .*watcher-process-dag\.ts \(its watchers: "returns_events" on "inbox", "yields_batches" on "inbox",/,
      ),
    );
  });

  it('runs polls side by side, and aborts one poll without touching the others', async () => {
    const waiting = triggerer.poll(pollOf('waits_for_abort'), () => ({
      ok: false,
      code: 'poll_aborted',
      message: 'the lease was lost',
    }));
    await triggerer.waitForLog((message) => message === 'waiting for abort');
    const other = await triggerer.poll(pollOf('returns_events', { watcherId: 2 }), (request) =>
      request.method === 'state.get' ? { ok: true, value: null } : committed,
    ).result;
    expect(other.finished.outcome).toBe('ok');

    triggerer.abort(waiting.pollId, 'the lease was lost');
    const { finished, logs, requests } = await waiting.result;
    expect(logs).toEqual(['waiting for abort', 'saw the abort: the lease was lost']);
    expect(commitsOf(requests)).toEqual([{ events: [{ extra: { late: true } }], state: [] }]);
    expect(finished.outcome).toBe('ended');
  });
});

describe('a watcher process whose watcher throws where no poll catches it', () => {
  it('exits with the error on stderr, so that the triggerer charges the polls it ran', async () => {
    const triggerer = new TestTriggerer();
    try {
      void triggerer.poll(pollOf('crashes'));
      const exit = await triggerer.exited;
      expect(exit.code).toBe(71);
      expect(exit.stderr).toContain('uncaught exception in a watcher: Error: thrown from a timer');
    } finally {
      await triggerer.close();
    }
  });
});
