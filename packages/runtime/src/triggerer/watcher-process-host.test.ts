import type { JsonValue, WatcherPollSpec, WatcherProcessRequest } from '@tidemark/core';
import { waitUntil } from '@tidemark/db/testing';
import { WATCHER_PROCESS_ENTRY } from '@tidemark/sdk';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type PollHandlers, WatcherProcessHost } from './watcher-process-host.ts';

const DAG_FILE = new URL('./fixtures/triggerer-test-dags.ts', import.meta.url).pathname;

function pollOf(watcherName: string, assetName: string): Omit<WatcherPollSpec, 'pollId'> {
  return {
    watcherId: 1,
    watcherName,
    asset: { name: assetName, uri: assetName },
    dagId: 'triggerer_watchers',
    dagFile: DAG_FILE,
  };
}

function recordingHandlers(answer: (request: WatcherProcessRequest) => JsonValue | undefined) {
  const logs: string[] = [];
  const requests: WatcherProcessRequest[] = [];
  const handlers: PollHandlers = {
    request: async (request) => {
      requests.push(request);
      return answer(request);
    },
    log: (_level, message) => logs.push(message),
  };
  return { handlers, logs, requests };
}

describe('the watcher process host', () => {
  let host: WatcherProcessHost | undefined;
  afterEach(async () => {
    await host?.stop(0);
    host = undefined;
  });

  it('ends the polls of a killed watcher process as crashed, and runs the next polls in a new one', async () => {
    host = new WatcherProcessHost({
      entryFile: WATCHER_PROCESS_ENTRY,
      logger: pino({ level: 'silent' }),
      restartBaseDelayMs: 10,
    });
    const hanging = recordingHandlers(() => null);
    const { done } = host.runPoll(pollOf('hangs', 'triggerer_slow'), hanging.handlers);
    await waitUntil(async () => (hanging.logs.includes('hanging') ? true : undefined), 'the poll to start');
    const firstPid = host.pid as number;
    process.kill(firstPid, 'SIGKILL');
    expect(await done).toEqual({
      outcome: 'crashed',
      error: 'the watcher process was killed by SIGKILL while the poll ran',
    });

    const finding = recordingHandlers((request) => (request.method === 'state.get' ? null : { event_ids: [1] }));
    expect(await host.runPoll(pollOf('new_files', 'triggerer_inbox'), finding.handlers).done).toEqual({
      outcome: 'ok',
    });
    expect(host.pid).not.toBe(firstPid);
    expect(finding.requests.map((request) => request.method)).toEqual(['state.get', 'commit']);
  });

  it('aborts running polls when it stops, then ends the process', async () => {
    host = new WatcherProcessHost({ entryFile: WATCHER_PROCESS_ENTRY, logger: pino({ level: 'silent' }) });
    const hanging = recordingHandlers(() => null);
    const { done } = host.runPoll(pollOf('hangs', 'triggerer_slow'), hanging.handlers);
    await waitUntil(async () => (hanging.logs.includes('hanging') ? true : undefined), 'the poll to start');
    await host.stop(5_000);
    expect(await done).toEqual({ outcome: 'ok' });
    expect(host.pid).toBeUndefined();
    expect(await host.runPoll(pollOf('hangs', 'triggerer_slow'), hanging.handlers).done).toEqual({ outcome: 'ended' });
  });
});
