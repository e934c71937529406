import { Readable } from 'node:stream';
import { type OffloadStore, offloadKeyPrefix, offloadRef, offloadScopePrefix } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** What an offload store's test file gives the suite: a new, empty store, and how to end it. */
export interface OffloadStoreHarness {
  readonly store: OffloadStore;
  close(): Promise<void>;
}

/** Object stores keep modification times to the second (S3's LastModified). */
const CLOCK_GRANULARITY_MS = 1_000;

/**
 * SPEC §9.2 as a test suite any offload store runs against itself:
 * `runOffloadStoreConformance('my store', async () => ({ store, close }))`. What the offloading
 * relay and the orphan sweep rely on: put/get byte for byte, replace, delete idempotently, list by
 * scope and key prefix with a modification time that a put makes "now", and refs it did not make refused.
 */
export function runOffloadStoreConformance(name: string, setup: () => Promise<OffloadStoreHarness>): void {
  describe(`offload store conformance: ${name}`, () => {
    let harness: OffloadStoreHarness;
    let store: OffloadStore;
    const task = { kind: 'task', dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 } as const;
    const asset = { kind: 'asset', name: 'orders' } as const;
    const ref = offloadRef(task, 'k', Buffer.from('"first ✓"'));
    const other = offloadRef(asset, 'k', Buffer.from('1'));

    beforeEach(async () => {
      harness = await setup();
      store = harness.store;
    });
    afterEach(() => harness.close());

    const listed = async (prefix?: string) => {
      const refs: string[] = [];
      for await (const object of store.list(prefix)) refs.push(object.ref);
      return refs.sort();
    };
    const modifiedAtOf = async (wanted: string) => {
      for await (const object of store.list()) if (object.ref === wanted) return object.modifiedAt;
      return undefined;
    };

    it('puts bytes or a stream, gets them back, replaces, lists by prefix and deletes idempotently', async () => {
      expect(await listed()).toEqual([]);
      expect(await store.get(ref)).toBeUndefined();
      await store.put(ref, Buffer.from('"first ✓"'));
      expect(await text(await store.get(ref))).toBe('"first ✓"');
      await store.put(ref, Readable.from([Buffer.from('"sec'), Buffer.from('ond"')]));
      expect(await text(await store.get(ref))).toBe('"second"');
      await store.put(other, Buffer.from('1'));
      expect(await listed()).toEqual([other, ref].sort());
      expect(await listed('asset/')).toEqual([other]);
      await store.delete(ref);
      await store.delete(ref);
      expect(await store.get(ref)).toBeUndefined();
      expect(await listed()).toEqual([other]);
    });

    it('gives a large payload back byte for byte', async () => {
      const payload = Buffer.alloc(5 * 1024 * 1024);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) % 251;
      const big = offloadRef(task, 'big', payload);
      await store.put(big, payload);
      const read = await bytes(await store.get(big));
      expect(read?.length).toBe(payload.length);
      expect(read?.equals(payload)).toBe(true);
    });

    it('a put that fails leaves the old payload', async () => {
      await store.put(ref, Buffer.from('"old"'));
      async function* failing() {
        yield Buffer.from('"half');
        throw new Error('the task process went away');
      }
      await expect(store.put(ref, failing())).rejects.toThrow('the task process went away');
      expect(await text(await store.get(ref))).toBe('"old"');
      expect(await listed()).toEqual([ref]);
    });

    it('lists each key and scope under its own prefix', async () => {
      const second = offloadRef(task, 'k', Buffer.from('"second"'));
      const otherKey = offloadRef(task, 'k2', Buffer.from('"first ✓"'));
      for (const each of [ref, second, otherKey, other]) await store.put(each, Buffer.from('"x"'));
      expect(await listed(offloadKeyPrefix(task, 'k'))).toEqual([ref, second].sort());
      expect(await listed(offloadScopePrefix(task))).toEqual([ref, second, otherKey].sort());
      expect(await listed(offloadScopePrefix(asset))).toEqual([other]);
      expect(await listed(offloadScopePrefix({ ...task, runId: 'another' }))).toEqual([]);
    });

    it('a put, also of a payload already there, makes the modification time now', async () => {
      const before = Date.now();
      await store.put(ref, Buffer.from('"first ✓"'));
      const first = await modifiedAtOf(ref);
      expect(first).toBeGreaterThanOrEqual(before - CLOCK_GRANULARITY_MS);
      expect(first).toBeLessThanOrEqual(Date.now() + CLOCK_GRANULARITY_MS);
      const again = Date.now();
      await store.put(ref, Buffer.from('"first ✓"'));
      expect(await modifiedAtOf(ref)).toBeGreaterThanOrEqual(again - CLOCK_GRANULARITY_MS);
    });

    it('refuses a ref it did not make', async () => {
      const keyOnly = ref.slice(0, ref.lastIndexOf('/'));
      for (const bad of ['../escape', 'task/abc/def', keyOnly, `${ref}/../../x`, `${keyOnly}/../x`, '/etc/passwd']) {
        await expect(store.put(bad, Buffer.from('1')), bad).rejects.toMatchObject({ code: 'invalid_offload_ref' });
        await expect(store.get(bad), bad).rejects.toMatchObject({ code: 'invalid_offload_ref' });
      }
      expect(await listed()).toEqual([]);
    });
  });
}

async function bytes(stream: AsyncIterable<Uint8Array> | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function text(stream: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> {
  return (await bytes(stream))?.toString('utf8');
}
