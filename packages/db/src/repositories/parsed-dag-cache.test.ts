import { type SerializedDag, serializeStoredDag } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { parseStoredDagCached } from './parsed-dag-cache.ts';

const DAG: SerializedDag = {
  dagId: 'cached',
  fileloc: 'cached.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('a')],
};

describe('parseStoredDagCached', () => {
  it('returns the same parse for the same text, and parses a new version of the DAG again', () => {
    const text = serializeStoredDag(DAG);
    const first = parseStoredDagCached(text, 'cached');
    expect(parseStoredDagCached(`${text}`, 'cached')).toBe(first);

    const changed = parseStoredDagCached(serializeStoredDag({ ...DAG, tasks: [serializedTask('b')] }), 'cached');
    expect(changed.tasks.map((task) => task.taskId)).toEqual(['b']);
  });

  it('throws for malformed text, as parseStoredDag does, and caches nothing for it', () => {
    expect(() => parseStoredDagCached('{not json', 'broken')).toThrow();
    expect(() => parseStoredDagCached('{not json', 'broken')).toThrow();
  });
});
