import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { offloadKeyPrefix, offloadRef, offloadScopePrefix } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemOffloadStore } from './filesystem-offload-store.ts';
import { runOffloadStoreConformance } from './testing/offload-store-conformance.ts';

runOffloadStoreConformance('filesystem', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-offload-conformance-'));
  return {
    store: new FilesystemOffloadStore(join(folder, 'offload')),
    close: async () => rmSync(folder, { recursive: true, force: true }),
  };
});

async function text(stream: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> {
  if (!stream) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('FilesystemOffloadStore', () => {
  let folder: string;
  let store: FilesystemOffloadStore;
  const task = { kind: 'task', dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 } as const;
  const ref = offloadRef(task, 'k', Buffer.from('"first ✓"'));
  const other = offloadRef({ kind: 'asset', name: 'orders' }, 'k', Buffer.from('1'));

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tidemark-offload-store-'));
    store = new FilesystemOffloadStore(join(folder, 'offload'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const listed = async (prefix?: string) => {
    const refs: string[] = [];
    for await (const object of store.list(prefix)) refs.push(object.ref);
    return refs.sort();
  };

  it('puts bytes or a stream, gets them back, replaces, lists by prefix and deletes idempotently', async () => {
    expect(await listed()).toEqual([]); // the folder does not exist yet
    await store.put(ref, Buffer.from('"first ✓"'));
    expect(await text(await store.get(ref))).toBe('"first ✓"');
    await store.put(ref, Readable.from([Buffer.from('"sec'), Buffer.from('ond"')]));
    expect(await text(await store.get(ref))).toBe('"second"');
    await store.put(other, Buffer.from('1'));
    expect(await listed()).toEqual([other, ref].sort());
    expect(await listed('asset/')).toEqual([other]);
    expect(existsSync(join(folder, 'offload', ...ref.split('/')))).toBe(true);
    await store.delete(ref);
    await store.delete(ref);
    expect(await store.get(ref)).toBeUndefined();
    expect(await listed()).toEqual([other]);
  });

  it('a put that fails leaves no file behind and keeps the old payload', async () => {
    await store.put(ref, Buffer.from('"old"'));
    async function* failing() {
      yield Buffer.from('"half');
      throw new Error('the task process went away');
    }
    await expect(store.put(ref, failing())).rejects.toThrow('the task process went away');
    expect(await text(await store.get(ref))).toBe('"old"');
    expect(await listed()).toEqual([ref]);
  });

  it('lists a partial file a crashed put left, with its age, so the sweep can remove it', async () => {
    await store.put(ref, Buffer.from('1'));
    const partial = join(folder, 'offload', ...`${ref}.partial-crashed`.split('/'));
    writeFileSync(partial, '"hal');
    utimesSync(partial, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const objects: { ref: string; modifiedAt: number }[] = [];
    for await (const object of store.list()) objects.push(object);
    expect(objects.find((object) => object.ref === `${ref}.partial-crashed`)?.modifiedAt).toBe(
      Date.parse('2026-01-01T00:00:00Z'),
    );
    await store.delete(`${ref}.partial-crashed`);
    expect(readdirSync(join(folder, 'offload', ...ref.split('/').slice(0, 3)))).toHaveLength(1);
  });

  it('a put of a payload already there refreshes its modification time', async () => {
    await store.put(ref, Buffer.from('"first ✓"'));
    const file = join(folder, 'offload', ...ref.split('/'));
    utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    await store.put(ref, Buffer.from('"first ✓"'));
    expect(statSync(file).mtimeMs).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    expect(await text(await store.get(ref))).toBe('"first ✓"');
  });

  it('keeps each key in its own folder, so a key prefix lists only that key', async () => {
    const second = offloadRef(task, 'k', Buffer.from('"second"'));
    const otherKey = offloadRef(task, 'k2', Buffer.from('"first ✓"'));
    for (const each of [ref, second, otherKey]) await store.put(each, Buffer.from('"x"'));
    expect(await listed(offloadKeyPrefix(task, 'k'))).toEqual([ref, second].sort());
    expect(await listed(offloadScopePrefix(task))).toEqual([ref, second, otherKey].sort());
  });

  it('refuses a ref it did not make (no path outside the folder)', async () => {
    const keyOnly = ref.slice(0, ref.lastIndexOf('/'));
    for (const bad of ['../escape', 'task/abc/def', keyOnly, `${ref}/../../x`, `${keyOnly}/../x`, '/etc/passwd']) {
      await expect(store.put(bad, Buffer.from('1')), bad).rejects.toMatchObject({ code: 'invalid_offload_ref' });
      await expect(store.get(bad), bad).rejects.toMatchObject({ code: 'invalid_offload_ref' });
    }
  });
});
