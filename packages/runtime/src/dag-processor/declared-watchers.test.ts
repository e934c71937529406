import type { SerializedDag, SerializedWatcher } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { resolveDeclaredWatchers } from './declared-watchers.ts';

const landing = { id: 7, name: 'landing', uri: 'file:///landing' };

function dag(dagId: string, fileloc: string, watchers: SerializedWatcher[]): SerializedDag {
  return { dagId, fileloc, tasks: [], watchers } as unknown as SerializedDag;
}

const newFiles = (everyMs: number): SerializedWatcher => ({
  name: 'new_files',
  asset: { name: landing.name, uri: landing.uri },
  everyMs,
});

describe('resolveDeclaredWatchers', () => {
  it('gives a watcher declared by two DAGs to the first by fileloc, and reports another interval in a later file', () => {
    const dags = [
      dag('c', 'c.ts', [newFiles(5_000)]),
      dag('b', 'b.ts', [newFiles(10_000)]),
      dag('a', 'a.ts', [newFiles(5_000)]),
    ];

    const result = resolveDeclaredWatchers(dags, [landing]);

    expect(result.watchers).toEqual([{ assetId: 7, name: 'new_files', dagId: 'a', fileloc: 'a.ts', everyMs: 5_000 }]);
    expect(result.conflictErrors).toEqual([
      {
        fileloc: 'b.ts',
        line: null,
        message: expect.stringContaining(
          'DAG "b" declares watcher "new_files" on asset "landing" every 10000 ms, but DAG "a" (a.ts) declares it every 5000 ms',
        ),
      },
    ]);
  });

  it('keeps watchers of one name on different assets apart, and leaves out one whose asset is not active', () => {
    const other = { id: 8, name: 'other', uri: 'other' };
    const onOther = { ...newFiles(1_000), asset: { name: 'other', uri: 'other' } };
    const onClashing = { ...newFiles(1_000), asset: { name: 'landing', uri: 's3://elsewhere' } };

    const result = resolveDeclaredWatchers(
      [dag('a', 'a.ts', [newFiles(5_000), onOther, onClashing])],
      [landing, other],
    );

    expect(result.watchers.map((watcher) => [watcher.assetId, watcher.name, watcher.everyMs])).toEqual([
      [7, 'new_files', 5_000],
      [8, 'new_files', 1_000],
    ]);
    expect(result.conflictErrors).toEqual([]);
  });

  it('reports a watcher whose interval is not a whole number of milliseconds, and leaves it out', () => {
    const result = resolveDeclaredWatchers(
      [dag('a', 'a.ts', [newFiles(1.5), { ...newFiles(0), name: 'zero' }])],
      [landing],
    );

    expect(result.watchers).toEqual([]);
    expect(result.conflictErrors.map((error) => [error.fileloc, error.message])).toEqual([
      ['a.ts', expect.stringContaining('watcher "new_files" on asset "landing" with interval 1.5; "every" must be')],
      ['a.ts', expect.stringContaining('watcher "zero" on asset "landing" with interval 0;')],
    ]);
  });
});
