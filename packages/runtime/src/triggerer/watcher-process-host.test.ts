import type { JsonValue, WatcherPollSpec, WatcherProcessRequest } from '@tidemark/core';
import { waitUntil } from '@tidemark/db/testing';
import { WATCHER_PROCESS_ENTRY } from '@tidemark/sdk';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type PollHandlers, WatcherProcessHost } from './watcher-process-host.ts';

const DAG_FILE = new URL('./fixtures/triggerer-test-dags.ts', import.meta.url).pathname;
const BLOCKING_DAG_FILE = new URL('./stall-fixtures/blocking-watcher-dag.ts', import.meta.url).pathname;

function pollOf(
  watcherName: string,
  assetName: string,
  dag = { dagId: 'triggerer_watchers', dagFile: DAG_FILE },
): Omit<WatcherPollSpec, 'pollId'> {
  return { watcherId: 1, watcherName, asset: { name: assetName, uri: assetName }, ...dag };
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

  it('kills a watcher process whose event loop a watcher blocked, charges the polls that ran, and goes on', async () => {
    host = new WatcherProcessHost({
      entryFile: WATCHER_PROCESS_ENTRY,
      logger: pino({ level: 'silent' }),
      restartBaseDelayMs: 10,
      stallTimeoutMs: 500,
    });
    const blocking = recordingHandlers(() => null);
    const { done } = host.runPoll(
      pollOf('blocks', 'triggerer_stalled', { dagId: 'triggerer_blocking', dagFile: BLOCKING_DAG_FILE }),
      blocking.handlers,
    );
    const end = await done;
    expect(blocking.logs).toContain('blocking');
    expect(end).toMatchObject({ outcome: 'crashed' });
    expect(end.outcome === 'crashed' && end.error).toContain(
      'answered nothing for 500 ms: a watcher blocked its event loop',
    );
    expect(end.outcome === 'crashed' && end.error).toContain('these polls were running: blocks');

    const finding = recordingHandlers((request) => (request.method === 'state.get' ? null : { event_ids: [1] }));
    expect(await host.runPoll(pollOf('new_files', 'triggerer_inbox'), finding.handlers).done).toEqual({
      outcome: 'ok',
    });
  });
});
