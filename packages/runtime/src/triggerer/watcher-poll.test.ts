import type { LeasedWatcher, WatcherPollRequest, WatcherPollResponse } from '@tidemark/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TriggererApiClient } from './triggerer-api-client.ts';
import { WatcherPoll } from './watcher-poll.ts';
import { WatcherStateCache } from './watcher-state-cache.ts';

const WATCHER: LeasedWatcher = {
  id: 7,
  name: 'new_files',
  asset: { id: 3, name: 'landing', uri: 'file:///landing' },
  dag_id: 'ingest',
  fileloc: 'ingest.ts',
  every_ms: 1_000,
  lease: 1,
  next_poll_at: 0,
  failure_count: 0,
};

/** The api-server's side of a commit, as the triggerer sees it: every request kept, each change given the next version. */
function recordingApi() {
  const commits: WatcherPollRequest[] = [];
  const api = {
    async commitPoll(_watcherId: number, request: WatcherPollRequest): Promise<WatcherPollResponse> {
      commits.push(request);
      const state = (request.state ?? []).map((change) => ({ key: change.key, version: (change.if_version ?? 0) + 1 }));
      return {
        event_ids: (request.events ?? []).map((_, index) => index + 1),
        state,
        next_poll_at: 0,
        failure_count: 0,
      };
    },
  } as unknown as TriggererApiClient;
  return { api, commits };
}

describe('a watcher poll on the triggerer', () => {
  it('commits compare-and-set against the versions the poll read in its own process, and those it asked for', async () => {
    const { api, commits } = recordingApi();
    const cache = new WatcherStateCache();
    cache.remember('asked', { value: 'a', version: 5 });
    const poll = new WatcherPoll({
      api,
      watcher: WATCHER,
      cache,
      polledAt: 1_000,
      signal: new AbortController().signal,
      logger: pino({ level: 'silent' }),
    });
    expect(await poll.request({ method: 'state.get', params: { key: 'asked' } })).toEqual({ value: 'a', version: 5 });

    await poll.request({
      method: 'commit',
      params: {
        events: [{}],
        state: [
          { key: 'cursor', operation: 'set', value: 5 },
          { key: 'fresh', operation: 'set', value: true },
          { key: 'asked', operation: 'delete' },
          { key: 'blind', operation: 'set', value: 1 },
        ],
        read: { cursor: 4, fresh: 0, asked: 2 },
      },
    });
    expect(commits[0]?.state).toEqual([
      { key: 'cursor', operation: 'set', value: 5, if_version: 4 },
      { key: 'fresh', operation: 'set', value: true, if_version: 0 },
      { key: 'asked', operation: 'delete', if_version: 5 },
      { key: 'blind', operation: 'set', value: 1 },
    ]);
    expect(cache.get('cursor')).toEqual({ present: true, value: 5, version: 5 });
  });
});
