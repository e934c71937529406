import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JsonValue, offloadEnvelope, offloadRefOf } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemOffloadStore } from '../offload/filesystem-offload-store.ts';
import { WatcherStateOffload } from './watcher-state-offload.ts';

describe("a watcher's large state values", () => {
  let folder: string;
  let store: FilesystemOffloadStore;
  let offload: WatcherStateOffload;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tidemark-watcher-offload-'));
    store = new FilesystemOffloadStore(folder);
    offload = new WatcherStateOffload({ store, thresholdBytes: 100 }, 'inbox');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('go to the offload store, and come back from it when read', async () => {
    const large = { files: Array.from({ length: 20 }, (_, i) => `file-${i}.csv`) };
    const prepared = await offload.prepare({ key: 'seen', operation: 'set', value: large });
    const ref = offloadRefOf(prepared.operation === 'set' ? prepared.value : null) as string;
    expect(ref).toMatch(/^asset\//);
    expect(await offload.resolve('seen', prepared.operation === 'set' ? prepared.value : null)).toEqual(large);
  });

  it('stay inline when small, and advances and deletes are left as they are', async () => {
    const small = { key: 'cursor', operation: 'set', value: 41 } as const;
    expect(await offload.prepare(small)).toBe(small);
    const advance = { key: 'cursor', operation: 'advance', value: 'x'.repeat(500) } as const;
    expect(await offload.prepare(advance)).toBe(advance);
    expect(await offload.resolve('cursor', 41)).toBe(41);
  });

  it('name the key and the ref when the object is gone', async () => {
    const envelope = offloadEnvelope(`asset/${'a'.repeat(64)}/${'b'.repeat(64)}/${'c'.repeat(64)}`);
    await expect(offload.resolve('seen', envelope as unknown as JsonValue)).rejects.toThrow(
      /state key "seen" is offloaded to "asset\/a+\/b+\/c+", but the offload store has no such object/,
    );
  });
});
