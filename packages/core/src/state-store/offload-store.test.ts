import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  OFFLOAD_REF_PATTERN,
  offloadEnvelope,
  offloadEnvelopeJson,
  offloadKeyPrefix,
  offloadRef,
  offloadRefOf,
  offloadScopePrefix,
} from './offload-store.ts';

describe('offload refs and envelopes', () => {
  const task = { kind: 'task', dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 } as const;
  const orders = { kind: 'asset', name: 'orders' } as const;
  const bytes = (json: string) => Buffer.from(json, 'utf8');
  const one = bytes('{"page":1}');

  it('refs are deterministic: the same scope, key and payload give the same ref', () => {
    expect(offloadRef(task, 'k', one)).toBe(offloadRef({ ...task }, 'k', bytes('{"page":1}')));
    expect(offloadRef(orders, 'k', one)).toBe(offloadRef({ kind: 'asset', name: 'orders' }, 'k', one));
  });

  it('another scope, key or payload gives another ref', () => {
    const ref = offloadRef(task, 'k', one);
    expect(offloadRef(task, 'k2', one)).not.toBe(ref);
    expect(offloadRef(task, 'k', bytes('{"page":2}'))).not.toBe(ref);
    expect(offloadRef({ ...task, mapIndex: 0 }, 'k', one)).not.toBe(ref);
    expect(offloadRef({ ...task, runId: 'r2' }, 'k', one)).not.toBe(ref);
    expect(offloadRef(orders, 'k', one)).not.toBe(offloadRef({ kind: 'asset', uri: 'orders' }, 'k', one));
  });

  it('an item-keyed task scope and a DAG scope have prefixes of their own (SPEC §17)', () => {
    const item = { ...task, itemKey: 'order-7' };
    expect(offloadScopePrefix(item)).toBe(offloadScopePrefix({ ...item, mapIndex: 5 }));
    expect(offloadScopePrefix(item)).not.toBe(offloadScopePrefix(task));
    expect(offloadScopePrefix(item)).not.toBe(offloadScopePrefix({ ...item, itemKey: 'order-8' }));
    expect(offloadRef(item, 'k', one)).toMatch(OFFLOAD_REF_PATTERN);
    const dag = { kind: 'dag', dagId: 'orders' } as const;
    expect(offloadScopePrefix(dag)).toMatch(/^dag\/[0-9a-f]{64}\/$/);
    expect(offloadRef(dag, 'k', one)).toMatch(OFFLOAD_REF_PATTERN);
  });

  it('every ref of a key is under the key prefix, which is under the scope prefix; the last part hashes the payload', () => {
    const keyPrefix = offloadKeyPrefix(task, 'a/b ✓');
    expect(keyPrefix.startsWith(offloadScopePrefix(task))).toBe(true);
    expect(keyPrefix).toMatch(/^task\/[0-9a-f]{64}\/[0-9a-f]{64}\/$/);
    for (const payload of [one, bytes('"état ✓"'), bytes('')]) {
      const ref = offloadRef(task, 'a/b ✓', payload);
      expect(ref).toBe(`${keyPrefix}${createHash('sha256').update(payload).digest('hex')}`);
      expect(ref).toMatch(OFFLOAD_REF_PATTERN);
    }
    // One key's prefix is not a prefix of another key's refs.
    expect(offloadRef(task, 'a/b ✓x', one).startsWith(keyPrefix)).toBe(false);
    expect(offloadRef(orders, '', one)).toMatch(OFFLOAD_REF_PATTERN);
    expect(offloadScopePrefix(orders)).toMatch(/^asset\/[0-9a-f]{64}\/$/);
  });

  it('the ref pattern refuses anything offloadRef does not make', () => {
    const ref = offloadRef(task, 'k', one);
    const keyOnly = ref.slice(0, ref.lastIndexOf('/'));
    for (const bad of [keyOnly, `${ref}/x`, `../${ref}`, ref.replace('task/', 'blob/'), ref.toUpperCase()]) {
      expect(bad).not.toMatch(OFFLOAD_REF_PATTERN);
    }
  });

  it('an envelope is an object with only a string __tidemark_ref__', () => {
    const ref = offloadRef(task, 'k', one);
    expect(offloadRefOf(offloadEnvelope(ref))).toBe(ref);
    expect(offloadEnvelopeJson(ref)).toBe(`{"__tidemark_ref__":"${ref}"}`);
    expect(offloadRefOf(JSON.parse(offloadEnvelopeJson(ref)))).toBe(ref);
    for (const other of [ref, null, [ref], { __tidemark_ref__: 1 }, { __tidemark_ref__: ref, more: 1 }, {}]) {
      expect(offloadRefOf(other), JSON.stringify(other)).toBeUndefined();
    }
  });
});
